import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopperReplica } from '@pourover/schemas';
import { NOTES_REPLICA, noteDoc } from '../../testing/notes-app.ts';
import { startNotesServer, userToken, type NotesServer } from '../../test/support/notes-server.ts';
import { storeToken, trpcClient, uuid } from '../../test/support/test-server.ts';

const OTHER = '00000000-0000-4000-8000-0000000000aa';

const client = (server: NotesServer, token: string) => trpcClient(server.url, token);

const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string }).code : undefined);

describe('syncgroup specs', () => {
  let server: NotesServer;
  beforeAll(async () => {
    server = await startNotesServer();
  });
  afterAll(() => server.stop());

  it('let an admin read the members and version of a syncgroup', async () => {
    const spec = await client(server, userToken(server.key)).sync.syncgroup.query({ collection: 'journal' });
    expect(spec).toMatchObject({
      replica: NOTES_REPLICA,
      version: 0,
      members: [{ pattern: '$owner', grants: ['read', 'write', 'admin'] }],
    });
  });

  it('let an admin add a member, who can then read the collection, and remove them again', async () => {
    const owner = client(server, userToken(server.key));
    await server.store.commit(NOTES_REPLICA, [{ collection: 'journal', document: noteDoc(70), expect: { kind: 'none' } }], 'all');
    const { version, members } = await owner.sync.syncgroup.query({ collection: 'journal' });
    const friend = shopperReplica(OTHER);
    const added = await owner.sync.setSyncgroup.mutate({
      collection: 'journal',
      members: [...members, { pattern: friend, grants: ['read'] }],
      version,
    });
    expect(added.version).toBe(version + 1);

    const friendsDevice = client(server, userToken(server.key, OTHER, 'tablet'));
    const read = await friendsDevice.sync.get.query({ collection: 'journal', replica: NOTES_REPLICA, ids: [uuid(70)] });
    expect(read.documents.map((doc) => doc.id)).toEqual([uuid(70)]);

    await owner.sync.setSyncgroup.mutate({ collection: 'journal', members, version: added.version });
    expect((await owner.sync.syncgroup.query({ collection: 'journal' })).members).toEqual(members);
  });

  it('refuse a change made from a stale version, so two admins never overwrite each other unseen', async () => {
    const owner = client(server, userToken(server.key));
    const { version, members } = await owner.sync.syncgroup.query({ collection: 'notes' });
    await owner.sync.setSyncgroup.mutate({ collection: 'notes', members, version });
    await expect(owner.sync.setSyncgroup.mutate({ collection: 'notes', members, version })).rejects.toSatisfy(
      (error) => codeOf(error) === 'PRECONDITION_FAILED',
    );
  });

  it('refuse a change that would leave the admin without admin', async () => {
    const owner = client(server, userToken(server.key));
    const { version } = await owner.sync.syncgroup.query({ collection: 'notes' });
    await expect(
      owner.sync.setSyncgroup.mutate({ collection: 'notes', members: [{ pattern: '$owner', grants: ['read', 'write'] }], version }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'BAD_INPUT');
  });

  it('refuse anyone who is not an admin of the syncgroup', async () => {
    const device = client(server, userToken(server.key));
    await expect(device.sync.syncgroup.query({ collection: 'tasks' })).rejects.toSatisfy((error) => codeOf(error) === 'FORBIDDEN');
    const store = client(server, storeToken(server.key));
    await expect(store.sync.syncgroup.query({ collection: 'journal', replica: NOTES_REPLICA })).rejects.toSatisfy(
      (error) => codeOf(error) === 'FORBIDDEN',
    );
    const stranger = client(server, userToken(server.key, OTHER, 'phone'));
    await expect(
      stranger.sync.setSyncgroup.mutate({
        collection: 'journal',
        replica: NOTES_REPLICA,
        members: [{ pattern: shopperReplica(OTHER), grants: ['read', 'admin'] }],
        version: 0,
      }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'FORBIDDEN');
  });
});
