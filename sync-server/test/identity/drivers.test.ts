import { driverReplica } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnerCode } from '../../src/auth/owner-code.ts';
import { pouroverApp } from '../../src/app/pourover-app.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { deviceKeys, refused, signedRefresh, waitUntil } from '../support/device-keys.ts';
import { call, deviceToken, errorOf, storeToken, tempDir, trpcClient } from '../support/test-server.ts';

const MINUTE = 60_000;
const folder = tempDir();
let server: RunningServer;
let clock = Date.now();
const client = (token = '') => trpcClient(server.url, token);
const store = () => client(storeToken(server.key));

beforeAll(async () => {
  server = await startServer({
    app: pouroverApp,
    dataDir: folder.dir,
    seed: true,
    now: () => new Date(clock),
    accessTokenSeconds: 60,
    // Many sign-ins and wrong codes from one address: the lockout has a test of its own below.
    limits: { address: { publicCalls: { points: 1_000, seconds: 60 }, failures: { failures: 1_000, seconds: 60, lockSeconds: 60 } } },
  });
});
afterAll(async () => {
  await server.close();
  folder.remove();
});

/** A driver's phone signing in with a code the store made. */
async function pairPhone(code: string, device = 'Dana’s phone') {
  const keys = await deviceKeys();
  const signed = await client().drivers.signIn.mutate({ code, device, publicKey: keys.publicKey });
  return { ...keys, ...signed };
}

async function newDriver(name: string) {
  const driver = await store().drivers.create.mutate({ name });
  const { code } = await store().drivers.createPairingCode.mutate({ driverId: driver.id });
  return { driver, code };
}

describe('drivers, as the store adds, pairs and removes them', () => {
  it('adds a driver by a name, trimmed and bounded, and lists the drivers not removed', async () => {
    const dana = await store().drivers.create.mutate({ name: '  Dana Diaz ' });
    expect(dana).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Dana Diaz', createdAt: new Date(clock).toISOString() });
    for (const name of ['', '   ', 'x'.repeat(61), 'Dana\u0007'])
      expect(await refused(store().drivers.create.mutate({ name })), JSON.stringify(name)).toMatchObject({ code: 'BAD_INPUT' });
    expect(await store().drivers.list.query()).toContainEqual({ id: dana.id, name: 'Dana Diaz', createdAt: dana.createdAt });
  });

  it('signs a driver’s phone in with the store’s code, once, as a device of that driver that refreshes like a shopper’s', async () => {
    const { driver, code } = await newDriver('Eli');
    const phone = await pairPhone(code.toLowerCase());
    expect(phone.blessing).toMatch(new RegExp(`^${driverReplica(driver.id)}:Dana-s-phone-[0-9a-f]{6}$`));
    expect(phone.driver).toEqual({ id: driver.id, name: 'Eli', createdAt: driver.createdAt });
    expect(await client(phone.token).drivers.me.query()).toEqual(phone.driver);
    expect(await refused(pairPhone(code, 'second phone'))).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'this pairing code was already used',
    });

    clock += 2 * MINUTE;
    expect(await refused(client(phone.token).drivers.me.query())).toMatchObject({ code: 'UNAUTHENTICATED' });
    const request = await signedRefresh(phone.keys, phone.blessing, new Date(clock).toISOString());
    const { token } = await client().auth.refresh.mutate(request);
    expect((await client(token).drivers.me.query()).name).toBe('Eli');
    expect(await refused(client().auth.refresh.mutate(request))).toMatchObject({ code: 'UNAUTHENTICATED', message: /used already/ });
  });

  it('refuses a wrong code, an expired one, and the codes of shoppers and of the store’s owner, each in words', async () => {
    expect(await refused(pairPhone('ZZZZZZZZ'))).toEqual({ code: 'UNAUTHENTICATED', message: 'this pairing code is not valid' });
    expect(
      await refused(client().drivers.signIn.mutate({ code: 'short', device: 'x', publicKey: (await deviceKeys()).publicKey })),
    ).toMatchObject({
      code: 'BAD_INPUT',
    });
    const { code } = await newDriver('Late');
    clock += 5 * MINUTE + 1;
    expect(await refused(pairPhone(code))).toEqual({ code: 'UNAUTHENTICATED', message: 'this pairing code has expired' });

    const shoppers = await client(deviceToken(server.key)).auth.createPairingCode.mutate();
    expect(await refused(pairPhone(shoppers.code))).toEqual({ code: 'UNAUTHENTICATED', message: 'this pairing code is not valid' });
    const owners = await createOwnerCode(server.identity, new Date(clock));
    expect(await refused(pairPhone(owners))).toEqual({ code: 'UNAUTHENTICATED', message: 'this pairing code is not valid' });
    // And a driver's code pairs no shopper's device, nor signs anyone in as the store.
    const forShopper = await newDriver('Not a shopper');
    expect(await refused(client().auth.redeemPairingCode.mutate({ code: forShopper.code, device: 'sneaky' }))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const forStore = await newDriver('Not the store');
    expect(await refused(client().auth.storeSignIn.mutate({ code: forStore.code }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('is the store’s alone: shoppers and drivers may not add, list, pair or remove drivers', async () => {
    const { driver, code } = await newDriver('Guarded');
    const phone = await pairPhone(code);
    for (const token of [deviceToken(server.key), phone.token]) {
      const caller = client(token);
      expect(await refused(caller.drivers.create.mutate({ name: 'Mallory' }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await refused(caller.drivers.list.query())).toMatchObject({ code: 'FORBIDDEN' });
      expect(await refused(caller.drivers.createPairingCode.mutate({ driverId: driver.id }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await refused(caller.drivers.remove.mutate({ driverId: driver.id }))).toMatchObject({ code: 'FORBIDDEN' });
    }
    // A driver manages no shopper's devices either, nor the owner's.
    expect(await refused(client(phone.token).auth.devices.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(client(phone.token).auth.createPairingCode.mutate())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(client(phone.token).owner.devices.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(client(deviceToken(server.key)).drivers.me.query())).toMatchObject({ code: 'FORBIDDEN' });
    expect((await store().drivers.list.query()).map((listed) => listed.id)).toContain(driver.id);
  });

  it('removes a driver: every phone of theirs is refused at once, open streams end, and refreshes are refused in words', async () => {
    const { driver, code } = await newDriver('Removed');
    const phone = await pairPhone(code);
    const spare = await pairPhone((await store().drivers.createPairingCode.mutate({ driverId: driver.id })).code, 'spare');
    const unused = await store().drivers.createPairingCode.mutate({ driverId: driver.id });
    let failure: string | undefined;
    let started = false;
    const stream = client(phone.token).sync.stream.subscribe(
      { lastEventId: null },
      { onStarted: () => (started = true), onError: (error) => (failure = error.message) },
    );
    try {
      expect(await waitUntil(() => started), 'the phone’s stream opened').toBe(true);
      expect(await store().drivers.remove.mutate({ driverId: driver.id })).toEqual({ removed: driver.id });
      expect(await waitUntil(() => failure !== undefined), 'the stream ended').toBe(true);
      expect(failure).toBe('this device was revoked');
    } finally {
      stream.unsubscribe();
    }
    for (const device of [phone, spare]) {
      expect(await refused(client(device.token).drivers.me.query())).toEqual({
        code: 'UNAUTHENTICATED',
        message: 'this device was revoked',
      });
      const request = await signedRefresh(device.keys, device.blessing, new Date(clock).toISOString());
      expect(await refused(client().auth.refresh.mutate(request))).toEqual({
        code: 'UNAUTHENTICATED',
        message: 'the store removed this driver: this phone is signed out; ask the store for a new pairing code',
      });
    }
    expect(await refused(pairPhone(unused.code, 'after removal'))).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'the store removed this driver; ask the store for a new pairing code',
    });
    expect(await refused(store().drivers.createPairingCode.mutate({ driverId: driver.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refused(store().drivers.remove.mutate({ driverId: driver.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await store().drivers.list.query()).map((listed) => listed.id)).not.toContain(driver.id);
  });
});

describe('a driver’s sign-in, among the public endpoints', () => {
  it('counts wrong codes against the caller’s address, which is then locked out', async () => {
    const locked = tempDir();
    const strict = await startServer({
      app: pouroverApp,
      dataDir: locked.dir,
      seed: true,
      limits: { address: { failures: { failures: 3, seconds: 60, lockSeconds: 60 } } },
    });
    try {
      const { publicKey } = await deviceKeys();
      const attempt = () => trpcClient(strict.url).drivers.signIn.mutate({ code: 'ZZZZZZZZ', device: 'guesser', publicKey });
      for (let n = 0; n < 3; n += 1) expect(await refused(attempt())).toMatchObject({ code: 'UNAUTHENTICATED' });
      // Refused before tRPC reads the call, as every public endpoint is: 429 with Retry-After.
      const answer = await call(strict, 'POST', '/trpc/drivers.signIn', {
        body: JSON.stringify({ code: 'ZZZZZZZZ', device: 'guesser', publicKey }),
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(errorOf(answer)?.code).toBe('RATE_LIMITED');
    } finally {
      await strict.close();
      locked.remove();
    }
  });
});
