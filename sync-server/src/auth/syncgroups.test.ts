import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_REPLICA,
  deviceToken,
  orderDoc,
  startTestServer,
  storeToken,
  trpcClient,
  uuid,
  type TestServer,
} from '../../test/support/test-server.ts';

const OTHER = '00000000-0000-4000-8000-0000000000aa';

const client = (server: TestServer, token: string) => trpcClient(server.url, token);

const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string }).code : undefined);

describe('syncgroup specs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('let an admin read the members and version of a syncgroup', async () => {
    const spec = await client(server, deviceToken(server.key)).sync.syncgroup.query({ collection: 'draftOrders' });
    expect(spec).toMatchObject({ replica: DEMO_REPLICA, version: 0, members: [{ pattern: '$owner', grants: ['read', 'write', 'admin'] }] });
  });

  it('let an admin add a member, who can then read the collection, and remove them again', async () => {
    const owner = client(server, deviceToken(server.key));
    await server.store.commit(DEMO_REPLICA, [{ collection: 'draftOrders', document: orderDoc(70), expect: { kind: 'none' } }], 'all');
    const { version, members } = await owner.sync.syncgroup.query({ collection: 'draftOrders' });
    const friend = `bluebottle:users:${OTHER}`;
    const added = await owner.sync.setSyncgroup.mutate({
      collection: 'draftOrders',
      members: [...members, { pattern: friend, grants: ['read'] }],
      version,
    });
    expect(added.version).toBe(version + 1);

    const friendsDevice = client(server, deviceToken(server.key, OTHER, 'tablet'));
    const read = await friendsDevice.sync.get.query({ collection: 'draftOrders', replica: DEMO_REPLICA, ids: [uuid(70)] });
    expect(read.documents.map((doc) => doc.id)).toEqual([uuid(70)]);

    await owner.sync.setSyncgroup.mutate({ collection: 'draftOrders', members, version: added.version });
    expect((await owner.sync.syncgroup.query({ collection: 'draftOrders' })).members).toEqual(members);
  });

  it('refuse a change made from a stale version, so two admins never overwrite each other unseen', async () => {
    const owner = client(server, deviceToken(server.key));
    const { version, members } = await owner.sync.syncgroup.query({ collection: 'user' });
    await owner.sync.setSyncgroup.mutate({ collection: 'user', members, version });
    await expect(owner.sync.setSyncgroup.mutate({ collection: 'user', members, version })).rejects.toSatisfy(
      (error) => codeOf(error) === 'PRECONDITION_FAILED',
    );
  });

  it('refuse a change that would leave the admin without admin', async () => {
    const owner = client(server, deviceToken(server.key));
    const { version } = await owner.sync.syncgroup.query({ collection: 'user' });
    await expect(
      owner.sync.setSyncgroup.mutate({ collection: 'user', members: [{ pattern: '$owner', grants: ['read', 'write'] }], version }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'BAD_INPUT');
  });

  it('refuse anyone who is not an admin of the syncgroup', async () => {
    const device = client(server, deviceToken(server.key));
    await expect(device.sync.syncgroup.query({ collection: 'placedOrders' })).rejects.toSatisfy((error) => codeOf(error) === 'FORBIDDEN');
    const store = client(server, storeToken(server.key));
    await expect(store.sync.syncgroup.query({ collection: 'draftOrders', replica: DEMO_REPLICA })).rejects.toSatisfy(
      (error) => codeOf(error) === 'FORBIDDEN',
    );
    const stranger = client(server, deviceToken(server.key, OTHER, 'phone'));
    await expect(
      stranger.sync.setSyncgroup.mutate({
        collection: 'draftOrders',
        replica: DEMO_REPLICA,
        members: [{ pattern: `bluebottle:users:${OTHER}`, grants: ['read', 'admin'] }],
        version: 0,
      }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'FORBIDDEN');
  });
});
