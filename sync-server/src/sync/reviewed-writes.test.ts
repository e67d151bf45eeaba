import { PouroverError } from '@pourover/protocol';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTES_REPLICA, notesApp, taskDoc } from '../../testing/notes-app.ts';
import { userToken } from '../../test/support/notes-server.ts';
import { startTestServer, storeToken, trpcClient, uuid, type TestServer } from '../../test/support/test-server.ts';
import type { ServerApp } from '../app/server-app.ts';

const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string }).code : undefined);

/** The notes app with a review on tasks: a done task never opens again, and its title is kept trimmed. */
const reviewedApp: ServerApp = {
  ...notesApp,
  hooks: {
    tasks: {
      async reviewBatchWrite({ before, document }) {
        if (before?.['state'] === 'done' && document['state'] === 'open') throw new PouroverError('BAD_INPUT', 'a done task stays done');
        return { document: { ...document, title: String(document['title']).trim() } };
      },
    },
  },
};

describe('a collection whose batch writes the app reviews', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ app: reviewedApp });
  });
  afterAll(() => server.stop());

  const stored = async (n: number) => (await server.store.get(NOTES_REPLICA, 'tasks', uuid(n)))?.document;

  it('commits what the review returns, and a refused write changes nothing', async () => {
    const store = trpcClient(server.url, storeToken(server.key));
    const written = taskDoc(1, { title: '  water the plants  ', state: 'done' });
    const batch = (write: typeof written, state: typeof written | null) =>
      store.sync.batch.mutate({
        replica: NOTES_REPLICA,
        operations: [{ collection: 'tasks', precondition: state ? { kind: 'equals', state } : { kind: 'absent' }, write }],
      });
    expect(await batch(written, null)).toMatchObject({ ok: true });
    const done = await stored(1);
    expect(done).toMatchObject({ title: 'water the plants', state: 'done' });

    await expect(batch({ ...done!, state: 'open' }, done!)).rejects.toSatisfy((error) => codeOf(error) === 'BAD_INPUT');
    expect(await stored(1)).toEqual(done);
  });

  it('is never written by a push, even when its syncgroup grants the pusher write', async () => {
    const store = trpcClient(server.url, storeToken(server.key));
    const { members, version } = await store.sync.syncgroup.query({ collection: 'tasks', replica: NOTES_REPLICA });
    const widened = members.map((member) =>
      member.pattern === '$owner' ? { ...member, grants: [...member.grants, 'write' as const] } : member,
    );
    await store.sync.setSyncgroup.mutate({ collection: 'tasks', replica: NOTES_REPLICA, members: widened, version });

    const device = trpcClient(server.url, userToken(server.key));
    const pushed = device.sync.push.mutate({ collection: 'tasks', rows: [{ assumedMasterState: null, newDocumentState: taskDoc(2) }] });
    await expect(pushed).rejects.toSatisfy((error) => codeOf(error) === 'FORBIDDEN');
    expect(await stored(2)).toBeUndefined();
  });
});
