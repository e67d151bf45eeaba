import { httpStatusOf, MAX_ROWS, type ErrorCode } from '@pourover/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOPPER_ID } from '@pourover/orders/server';
import {
  call,
  DEMO_REPLICA,
  errorOf,
  heads,
  internalsIn,
  post,
  postRaw,
  pull,
  pullRaw,
  readEventStream,
  resultOf,
  signIn,
  startTestServer,
  streamData,
  streamErrors,
  streamPath,
  userDoc,
  type Answer,
  type SseEvent,
  type TestServer,
} from './support/test-server.ts';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await signIn(server);
});
afterAll(() => server.stop());

const MiB = 1024 * 1024;
const pad = (bytes: number) => 'x'.repeat(bytes);
const row = (document: unknown, assumedMasterState: unknown = null) => ({ assumedMasterState, newDocumentState: document });
const pushOf = (...documents: unknown[]) => ({ collection: 'user', rows: documents.map((document) => row(document)) });
const batchOf = (...writes: unknown[]) => ({ operations: writes.map((write) => ({ collection: 'user', write })) });
const validPull = { collection: 'user', checkpoint: null, limit: 10 };
const pullPath = `/trpc/sync.pull?input=${encodeURIComponent(JSON.stringify(validPull))}`;
const fresh = userDoc(100);

type Case = [name: string, send: () => Promise<Answer>, code: ErrorCode];

const cases: Record<'pull' | 'push' | 'batch' | 'devSignIn', Case[]> = {
  pull: [
    ['malformed JSON input', () => pullRaw(server, '{"collection":"user",', token), 'BAD_INPUT'],
    ['no input at all', () => call(server, 'GET', '/trpc/sync.pull', { token }), 'BAD_INPUT'],
    ['a negative limit', () => pull(server, { ...validPull, limit: -1 }, token), 'BAD_INPUT'],
    ['a limit above MAX_ROWS', () => pull(server, { ...validPull, limit: MAX_ROWS + 1 }, token), 'BAD_INPUT'],
    ['a limit given as a string', () => pull(server, { ...validPull, limit: '10' }, token), 'BAD_INPUT'],
    ['an unknown collection', () => pull(server, { ...validPull, collection: 'nope' }, token), 'BAD_INPUT'],
    ['a fractional checkpoint', () => pull(server, { ...validPull, checkpoint: { seq: 1.5 } }, token), 'BAD_INPUT'],
    ['an unknown field', () => pull(server, { ...validPull, admin: true }, token), 'BAD_INPUT'],
  ],
  push: [
    ['a malformed JSON body', () => postRaw(server, 'sync.push', '{"collection":"user","rows":[', token), 'BAD_INPUT'],
    ['an empty body', () => postRaw(server, 'sync.push', '', token), 'BAD_INPUT'],
    ['a JSON null body', () => postRaw(server, 'sync.push', 'null', token), 'BAD_INPUT'],
    ['rows given as a string', () => post(server, 'sync.push', { collection: 'user', rows: 'x' }, token), 'BAD_INPUT'],
    ['no rows', () => post(server, 'sync.push', { collection: 'user', rows: [] }, token), 'BAD_INPUT'],
    ['an unknown collection', () => post(server, 'sync.push', { ...pushOf(fresh), collection: 'nope' }, token), 'BAD_INPUT'],
    ['a user document with an extra field', () => post(server, 'sync.push', pushOf({ ...fresh, admin: true }), token), 'BAD_INPUT'],
    ['a user document with a non-UUID id', () => post(server, 'sync.push', pushOf({ ...fresh, id: 'alice' }), token), 'BAD_INPUT'],
    ['a document without _deleted', () => post(server, 'sync.push', pushOf({ ...fresh, _deleted: undefined }), token), 'BAD_INPUT'],
    ['a document field of the wrong type', () => post(server, 'sync.push', pushOf({ ...fresh, name: 42 }), token), 'BAD_INPUT'],
    [
      'more than MAX_ROWS rows',
      () => post(server, 'sync.push', pushOf(...Array.from({ length: MAX_ROWS + 1 }, (_, n) => userDoc(n + 200))), token),
      'BAD_INPUT',
    ],
    ['a 1.2 MiB body', () => post(server, 'sync.push', pushOf({ ...fresh, name: pad(1.2 * MiB) }), token), 'TOO_LARGE'],
  ],
  batch: [
    ['a malformed JSON body', () => postRaw(server, 'sync.batch', '{"operations":[{', token), 'BAD_INPUT'],
    ['operations given as a string', () => post(server, 'sync.batch', { operations: 'x' }, token), 'BAD_INPUT'],
    ['no operations', () => post(server, 'sync.batch', { operations: [] }, token), 'BAD_INPUT'],
    [
      'an unknown precondition kind',
      () => post(server, 'sync.batch', { operations: [{ collection: 'user', write: fresh, precondition: { kind: 'maybe' } }] }, token),
      'BAD_INPUT',
    ],
    ['an unknown collection', () => post(server, 'sync.batch', { operations: [{ collection: 'nope', write: fresh }] }, token), 'BAD_INPUT'],
    ['a user document with an extra field', () => post(server, 'sync.batch', batchOf({ ...fresh, admin: true }), token), 'BAD_INPUT'],
    [
      'a valid write followed by a non-UUID id',
      () => post(server, 'sync.batch', batchOf(fresh, { ...userDoc(101), id: 'bob' }), token),
      'BAD_INPUT',
    ],
    ['a 1.2 MiB body', () => post(server, 'sync.batch', batchOf({ ...fresh, address: pad(1.2 * MiB) }), token), 'TOO_LARGE'],
  ],
  devSignIn: [
    ['a malformed JSON body', () => postRaw(server, 'auth.devSignIn', '{"device":'), 'BAD_INPUT'],
    ['a device given as a number', () => post(server, 'auth.devSignIn', { device: 5 }), 'BAD_INPUT'],
    // Names are free text now ("my phone", "phone:admin" are blessed under ids the server derives, see auth/device-label.test.ts).
    ['a device name of more than 40 characters', () => post(server, 'auth.devSignIn', { device: 'my phone '.repeat(5) }), 'BAD_INPUT'],
    ['a device name with a control character', () => post(server, 'auth.devSignIn', { device: 'phone\u0000' }), 'BAD_INPUT'],
    ['an empty device name', () => post(server, 'auth.devSignIn', { device: '   ' }), 'BAD_INPUT'],
    ['an unknown field', () => post(server, 'auth.devSignIn', { device: 'phone', shopper: 'someone-else' }), 'BAD_INPUT'],
    ['a 1.2 MiB body', () => post(server, 'auth.devSignIn', { device: pad(1.2 * MiB) }), 'TOO_LARGE'],
  ],
};

/** Sends a bad request and checks the answer is a bare typed error, nothing was written and the server still serves. */
async function expectRefused(send: () => Promise<Answer>, code: ErrorCode) {
  const before = await heads(server);
  const answer = await send();
  expect({ status: answer.status, code: errorOf(answer)?.code }).toEqual({ status: httpStatusOf[code], code });
  expect([400, 413]).toContain(answer.status);
  expect(errorOf(answer)?.httpStatus).toBe(answer.status);
  expect(internalsIn(answer.body)).toEqual([]);
  expect(await heads(server)).toEqual(before);
  expect((await call(server, 'GET', '/healthz')).status).toBe(200);
}

describe('bad input: every endpoint refuses it with a typed error, writes nothing and keeps serving', () => {
  for (const [endpoint, list] of Object.entries(cases)) {
    describe(endpoint, () => {
      it.each(list)('refuses %s as a typed error, writes nothing and keeps serving', async (_name, send, code) => {
        await expectRefused(send, code);
      });
    });
  }

  it('writes not even the valid rows of a push that also carries an invalid one', async () => {
    await expectRefused(() => post(server, 'sync.push', pushOf(fresh, { ...userDoc(101), id: 'x' }), token), 'BAD_INPUT');
    expect(await server.store.get(DEMO_REPLICA, 'user', fresh.id)).toBeNull();
  });

  it('refuses a pull whose query string is over 1 MiB before it reaches the store, and keeps serving', async () => {
    const before = await heads(server);
    const answer = await pull(server, { ...validPull, pad: pad(1.2 * MiB) }, token);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await heads(server)).toEqual(before);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });

  // Node's HTTP parser refuses it before tRPC sees the request; the server still answers typed.
  it('answers a pull whose query string is over 1 MiB with a typed TOO_LARGE error', async () => {
    await expectRefused(() => pull(server, { ...validPull, pad: pad(1.2 * MiB) }, token), 'TOO_LARGE');
  });

  // Bad input tRPC refuses itself (wrong content type, unparsable connectionParams) is typed too.
  const transport: Case[] = [
    ['a push sent as text/plain', () => postRaw(server, 'sync.push', JSON.stringify(pushOf(fresh)), token, 'text/plain'), 'BAD_INPUT'],
    ['a pull with malformed connectionParams', () => call(server, 'GET', `${pullPath}&connectionParams=%7B`, { token }), 'BAD_INPUT'],
  ];

  it.each(transport)('refuses %s as BAD_INPUT rather than INTERNAL', async (_name, send, code) => {
    await expectRefused(send, code);
  });

  it.each(transport)('refuses %s with a 4xx and no internals, writes nothing and keeps serving', async (_name, send) => {
    const before = await heads(server);
    const answer = await send();
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(internalsIn(answer.body)).toEqual([]);
    expect(await heads(server)).toEqual(before);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });

  const hasError = (events: SseEvent[]) => streamErrors(events).length > 0;

  it.each([
    ['an unknown field', { since: 0 }],
    ['a lastEventId over 40 characters', { lastEventId: '1'.repeat(41) }],
    ['a lastEventId that is no stream position', { lastEventId: 'zzz' }],
  ])('refuses a stream input with %s as BAD_INPUT and delivers no data', async (_name, input) => {
    const answer = await readEventStream(server, streamPath(input), { token, until: hasError });
    expect(streamData(answer.events)).toEqual([]);
    if (answer.status === 200) expect(streamErrors(answer.events)).toMatchObject([{ code: 'BAD_INPUT' }]);
    else expect(answer.status).toBe(400);
    expect(internalsIn(answer.events.map((event) => JSON.parse(event.data) as unknown))).toEqual([]);
  });

  // The stream's input is checked before the stream starts, so the refusal carries its own status.
  it('reports the unreadable lastEventId error with httpStatus 400, not 500', async () => {
    const answer = await readEventStream(server, streamPath({ lastEventId: 'zzz' }), { token, until: hasError });
    expect(streamErrors(answer.events)).toMatchObject([{ code: 'BAD_INPUT', httpStatus: 400 }]);
  });

  it('still applies a valid push after all the bad requests, and a pull then returns it', async () => {
    const before = await heads(server);
    const answer = await post(server, 'sync.push', pushOf(fresh), token);
    expect(resultOf<{ conflicts: unknown[] }>(answer)).toEqual({ conflicts: [], seqs: [before.shopper + 1] });
    expect(await heads(server)).toEqual({ ...before, shopper: before.shopper + 1 });
    const pulled = resultOf<{ documents: { id: string }[] }>(await pull(server, validPull, token));
    expect(pulled.documents.map((document) => document.id)).toEqual([DEMO_SHOPPER_ID, fresh.id]);
  });
});
