import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceToken,
  post,
  pull,
  readEventStream,
  resultOf,
  startTestServer,
  streamData,
  streamPath,
  userDoc,
  type TestServer,
} from './support/test-server.ts';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = deviceToken(server.key);
});
afterAll(() => server.stop());

type Pulled = { documents: { id: string }[]; checkpoint: { seq: number; epoch: string }; reset?: true };
const OTHER_EPOCH = '0123456789abcdef';

describe("the store's epoch: positions of a history the server no longer holds start again", () => {
  it('names the epoch in every pull checkpoint, and goes on from a checkpoint of the same epoch', async () => {
    await post(server, 'sync.push', { collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: userDoc(1) }] }, token);
    const first = resultOf<Pulled>(await pull(server, { collection: 'user', checkpoint: null, limit: 100 }, token));
    expect(first.checkpoint).toEqual({ seq: expect.any(Number), epoch: server.store.epoch });
    expect(first.reset).toBeUndefined();
    const next = resultOf<Pulled>(await pull(server, { collection: 'user', checkpoint: first.checkpoint, limit: 100 }, token));
    expect(next).toMatchObject({ documents: [], checkpoint: first.checkpoint });
    expect(next.reset).toBeUndefined();
  });

  it('answers a checkpoint of another epoch from the beginning, marked reset', async () => {
    const current = resultOf<Pulled>(await pull(server, { collection: 'user', checkpoint: null, limit: 100 }, token));
    const stale = { seq: current.checkpoint.seq + 1_000, epoch: OTHER_EPOCH };
    const answer = resultOf<Pulled>(await pull(server, { collection: 'user', checkpoint: stale, limit: 100 }, token));
    expect(answer.reset).toBe(true);
    expect(answer.documents.map((document) => document.id)).toEqual(current.documents.map((document) => document.id));
    expect(answer.checkpoint).toEqual(current.checkpoint);
  });

  it('takes a checkpoint without an epoch (a device older than epochs) as the current one', async () => {
    const current = resultOf<Pulled>(await pull(server, { collection: 'user', checkpoint: null, limit: 100 }, token));
    const answer = resultOf<Pulled>(
      await pull(server, { collection: 'user', checkpoint: { seq: current.checkpoint.seq }, limit: 100 }, token),
    );
    expect(answer).toMatchObject({ documents: [], checkpoint: current.checkpoint });
    expect(answer.reset).toBeUndefined();
  });

  it('refuses a malformed epoch as bad input', async () => {
    const answer = await pull(server, { collection: 'user', checkpoint: { seq: 1, epoch: 'yesterday' }, limit: 100 }, token);
    expect(answer.status).toBe(400);
  });

  it('opens a stream resumed from another epoch afresh, with ready naming the current epoch', async () => {
    const ready = await readEventStream(server, streamPath({ lastEventId: `5.5.${OTHER_EPOCH}` }), {
      token,
      until: (events) => streamData(events).length > 0,
    });
    expect(streamData(ready.events).map((event) => JSON.parse(event.data))).toEqual([{ kind: 'ready', epoch: server.store.epoch }]);
    expect(streamData(ready.events)[0]?.id).toMatch(new RegExp(`^\\d+\\.\\d+\\.${server.store.epoch}$`));
  });

  it('resumes a stream of the same epoch without ready, from where it was', async () => {
    const opened = await readEventStream(server, streamPath(), { token, until: (events) => streamData(events).length > 0 });
    const position = streamData(opened.events)[0]!.id!;
    await post(server, 'sync.push', { collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: userDoc(2) }] }, token);
    const resumed = await readEventStream(server, streamPath({ lastEventId: position }), {
      token,
      until: (events) => streamData(events).length > 0,
    });
    const [event] = streamData(resumed.events).map((data) => JSON.parse(data.data) as { kind: string; checkpoint?: object });
    expect(event).toMatchObject({ kind: 'changes', collection: 'user', checkpoint: { epoch: server.store.epoch } });
  });
});
