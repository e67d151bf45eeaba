import { STORE } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnerCode } from '../../src/auth/owner-code.ts';
import { pouroverApp } from '../../src/app/pourover-app.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { deviceKeys, refused, signedRefresh, waitUntil, type DeviceKeys } from '../support/device-keys.ts';
import { deviceToken, storeToken, tempDir, trpcClient } from '../support/test-server.ts';

const MINUTE = 60_000;
const folder = tempDir();
let server: RunningServer;
let clock = Date.now();
const client = (token = '') => trpcClient(server.url, token);

beforeAll(async () => {
  server = await startServer({
    app: pouroverApp,
    dataDir: folder.dir,
    seed: true,
    now: () => new Date(clock),
    accessTokenSeconds: 60,
    // Many sign-ins from one address in one file: the limits on public calls are another test's.
    limits: { address: { publicCalls: { points: 1_000, seconds: 60 } } },
  });
});
afterAll(async () => {
  await server.close();
  folder.remove();
});

type OwnerDevice = DeviceKeys & { token: string; blessing: string; expiresInSeconds: number };

/** A browser signing in as the store owner with a fresh console code and its own key. */
async function ownerSignIn(device: string): Promise<OwnerDevice> {
  const keys = await deviceKeys();
  const code = await createOwnerCode(server.identity, new Date(clock));
  const signed = await client().auth.storeSignIn.mutate({ code, device, publicKey: keys.publicKey });
  return { ...keys, ...signed };
}

describe('the store owner’s devices', () => {
  it('sign in with a console code and their key, act as the store, and refresh by a signed request, each once', async () => {
    const laptop = await ownerSignIn('Owner laptop');
    expect(laptop.blessing).toMatch(/^bluebottle:owners:Owner-laptop-[0-9a-f]{6}$/);
    expect(laptop.expiresInSeconds).toBe(60);
    // Authorized as exactly the store: it writes the catalog and reads every shopper's placed orders.
    const owner = client(laptop.token);
    const { documents } = await owner.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1 });
    const [item] = documents;
    expect(item).toBeDefined();
    const edited = { ...item, name: 'Renamed by the owner’s laptop' } as (typeof documents)[number];
    expect(
      await owner.sync.push.mutate({ collection: 'catalog', rows: [{ assumedMasterState: item ?? null, newDocumentState: edited }] }),
    ).toMatchObject({
      conflicts: [],
    });
    const listed = await owner.owner.devices.query();
    expect(listed).toEqual([{ name: laptop.blessing, createdAt: new Date(clock).toISOString(), revokedAt: null, current: true }]);

    clock += 2 * MINUTE;
    expect(await refused(owner.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1 }))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const request = await signedRefresh(laptop.keys, laptop.blessing, new Date(clock).toISOString());
    const { token } = await client().auth.refresh.mutate(request);
    expect((await client(token).sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1 })).documents).toHaveLength(1);
    expect(await refused(client().auth.refresh.mutate(request))).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'this refresh request was used already; sign a new one',
    });
  });

  it('refuses a console code used twice, a shopper’s pairing code, and a device without its key', async () => {
    const keys = await deviceKeys();
    const code = await createOwnerCode(server.identity, new Date(clock));
    await client().auth.storeSignIn.mutate({ code, device: 'first', publicKey: keys.publicKey });
    expect(await refused(client().auth.storeSignIn.mutate({ code, device: 'second', publicKey: keys.publicKey }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/not valid, or was used or has expired/),
    });
    const pairing = await client(deviceToken(server.key)).auth.createPairingCode.mutate();
    expect(
      await refused(client().auth.storeSignIn.mutate({ code: pairing.code, device: 'sneaky', publicKey: keys.publicKey })),
    ).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const fresh = await createOwnerCode(server.identity, new Date(clock));
    expect(await refused(client().auth.storeSignIn.mutate({ code: fresh, device: 'no-key' }))).toMatchObject({ code: 'BAD_INPUT' });
    expect(await server.identity.device('bluebottle:owners:sneaky')).toBeUndefined();
    expect(await server.identity.device('bluebottle:owners:no-key')).toBeUndefined();
  });

  it('are revoked by the store: the device’s requests, refreshes and open watch are refused at once, the others go on', async () => {
    const keeper = await ownerSignIn('keeper');
    const lost = await ownerSignIn('lost');
    let failure: string | undefined;
    let initialized = false;
    const watch = client(lost.token).sync.watch.subscribe(
      { collection: 'placedOrders' },
      {
        onData: (envelope) => (initialized ||= (envelope.data as { kind?: string }).kind === 'initialized'),
        onError: (error) => (failure = error.message),
      },
    );
    try {
      expect(await waitUntil(() => initialized), 'the lost device’s watch opened').toBe(true);
      expect(await client(keeper.token).owner.revokeDevice.mutate({ device: lost.blessing })).toEqual({ revoked: lost.blessing });
      expect(await waitUntil(() => failure !== undefined), 'the watch ended').toBe(true);
      expect(failure).toBe('this device was revoked');
    } finally {
      watch.unsubscribe();
    }
    expect(await refused(client(lost.token).sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1 }))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const request = await signedRefresh(lost.keys, lost.blessing, new Date(clock).toISOString());
    expect(await refused(client().auth.refresh.mutate(request))).toEqual({ code: 'UNAUTHENTICATED', message: 'this device was revoked' });
    // The owner's other device, and the store's own token (the processor's), are untouched.
    expect((await client(keeper.token).sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1 })).documents).toHaveLength(1);
    expect(
      (await client(storeToken(server.key)).sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1 })).documents,
    ).toHaveLength(1);
    const listed = await client(keeper.token).owner.devices.query();
    expect(listed.find((device) => device.name === lost.blessing)?.revokedAt).toBe(new Date(clock).toISOString());
    // Signing in again under the revoked name is refused; under another name it is a new device.
    const again = await deviceKeys();
    const code = await createOwnerCode(server.identity, new Date(clock));
    expect(await refused(client().auth.storeSignIn.mutate({ code, device: 'lost', publicKey: again.publicKey }))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('are the store’s alone to list and revoke', async () => {
    const laptop = await ownerSignIn('listed');
    const shopper = client(deviceToken(server.key));
    expect(await refused(shopper.owner.devices.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(shopper.owner.revokeDevice.mutate({ device: laptop.blessing }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(server.identity.isRevoked(laptop.blessing)).toBe(false);
    // The store revokes only its owner's devices through here, never a shopper's.
    const phone = `${'bluebottle:users:'}${'c0ffee00-0000-4000-8000-000000000001'}:phone`;
    expect(await refused(client(laptop.token).owner.revokeDevice.mutate({ device: phone }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refused(client(laptop.token).owner.revokeDevice.mutate({ device: STORE }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('read who holds a worker’s lease, but never take or shorten one: that would stop the store’s worker', async () => {
    const worker = client(storeToken(server.key));
    const held = await worker.sync.lease.mutate({ name: 'processor', holder: 'worker-1', ttlMs: 10_000 });
    expect(held).toMatchObject({ granted: true, holder: 'worker-1' });
    const laptop = client((await ownerSignIn('lease')).token);
    expect(await laptop.sync.leaseHolder.query({ name: 'processor' })).toMatchObject({ lease: { holder: 'worker-1' } });
    expect(await refused(laptop.sync.lease.mutate({ name: 'processor', holder: 'worker-1', ttlMs: 1_000 }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(laptop.sync.lease.mutate({ name: 'other', holder: 'laptop', ttlMs: 1_000 }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await laptop.sync.leaseHolder.query({ name: 'processor' })).toMatchObject({ lease: { expiresAt: held.expiresAt } });
  });
});
