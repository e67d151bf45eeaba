/**
 * The identity store conformance suite: what the server relies on from an
 * `IdentityStore`, run against each (`sqlite-identity-store.test.ts`,
 * `postgres-identity-store.pg.test.ts`). It registers
 * tests when a test file calls it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { driverReplica } from '@pourover/schemas';
import type { IdentityStore } from '../src/auth/identity-store.ts';

export type IdentityUnderTest = {
  identity: IdentityStore;
  /** Another store over the same data, opened after the first was closed. */
  reopen(): Promise<IdentityStore>;
  /** Removes the data; every store over it is closed by then. */
  cleanup(): Promise<void>;
};

const SHOPPER = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const device = (label: string, shopperId = SHOPPER) => `bluebottle:users:${shopperId}:${label}`;
const driverDevice = (driverId: string, label: string) => `${driverReplica(driverId)}:${label}`;
const key = (x: string): JsonWebKey => ({ kty: 'EC', crv: 'P-256', x, y: 'y' });
const at = (ms: number) => new Date(Date.UTC(2026, 10, 23, 10) + ms);
const MINUTE = 60_000;

export function identityConformance(name: string, open: () => Promise<IdentityUnderTest>): void {
  describe(`${name} identity store conformance`, () => {
    const opened: { stores: IdentityStore[]; cleanup(): Promise<void> }[] = [];
    afterEach(async () => {
      for (const { stores, cleanup } of opened.splice(0)) {
        for (const store of stores) await store.close().catch(() => {});
        await cleanup();
      }
    });
    async function fresh() {
      const underTest = await open();
      const entry = { stores: [underTest.identity], cleanup: underTest.cleanup };
      opened.push(entry);
      return {
        identity: underTest.identity,
        async reopen() {
          await underTest.identity.close();
          const again = await underTest.reopen();
          entry.stores.push(again);
          return again;
        },
      };
    }

    it('records a device with its key, gives it a new key when it signs in again, and lists a shopper’s devices', async () => {
      const { identity } = await fresh();
      expect(await identity.registerDevice({ name: device('phone'), shopperId: SHOPPER, publicKey: key('a') }, at(0))).toBe('registered');
      expect(await identity.registerDevice({ name: device('laptop'), shopperId: SHOPPER, publicKey: null }, at(1))).toBe('registered');
      expect(await identity.registerDevice({ name: device('tv', OTHER), shopperId: OTHER, publicKey: null }, at(2))).toBe('registered');
      expect(await identity.registerDevice({ name: device('phone'), shopperId: SHOPPER, publicKey: key('b') }, at(3))).toBe('registered');
      expect(await identity.device(device('phone'))).toEqual({
        name: device('phone'),
        shopperId: SHOPPER,
        publicKey: key('b'),
        createdAt: at(0).toISOString(),
        revokedAt: null,
      });
      expect((await identity.devices(SHOPPER)).map((record) => record.name)).toEqual([device('phone'), device('laptop')]);
      expect(await identity.device(device('unknown'))).toBeUndefined();
    });

    it('keeps a revoked device revoked, tells its listeners once, and remembers it after reopening', async () => {
      const { identity, reopen } = await fresh();
      const heard: string[] = [];
      identity.onRevoked((name) => heard.push(name));
      await identity.registerDevice({ name: device('lost'), shopperId: SHOPPER, publicKey: key('a') }, at(0));
      expect(await identity.revoke(device('lost'), at(MINUTE))).toBe(true);
      expect(await identity.revoke(device('lost'), at(2 * MINUTE))).toBe(false);
      expect(await identity.revoke(device('never-made'), at(2 * MINUTE))).toBe(false);
      expect(identity.isRevoked(device('lost'))).toBe(true);
      expect(heard).toEqual([device('lost')]);
      expect(await identity.registerDevice({ name: device('lost'), shopperId: SHOPPER, publicKey: key('thief') }, at(3 * MINUTE))).toBe(
        'revoked',
      );
      expect(await identity.device(device('lost'))).toMatchObject({ publicKey: key('a'), revokedAt: at(MINUTE).toISOString() });

      const again = await reopen();
      expect(again.isRevoked(device('lost'))).toBe(true);
      expect(again.isRevoked(device('other'))).toBe(false);
    });

    it('redeems a pairing code once, in any letter case, only before it expires', async () => {
      const { identity } = await fresh();
      const code = await identity.createPairingCode(SHOPPER, 5 * MINUTE, at(0));
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      expect(await identity.redeemPairingCode(code.toLowerCase(), at(MINUTE))).toEqual({ ok: true, shopperId: SHOPPER });
      expect(await identity.redeemPairingCode(code, at(MINUTE))).toEqual({ ok: false, reason: 'used' });
      const late = await identity.createPairingCode(SHOPPER, 5 * MINUTE, at(0));
      expect(await identity.redeemPairingCode(late, at(5 * MINUTE))).toEqual({ ok: false, reason: 'expired' });
      expect(await identity.redeemPairingCode('ZZZZZZZZ', at(0))).toEqual({ ok: false, reason: 'unknown' });
    });

    it('lets exactly one of several redemptions of one code at once succeed', async () => {
      const { identity } = await fresh();
      const code = await identity.createPairingCode(SHOPPER, 5 * MINUTE, at(0));
      const results = await Promise.all(Array.from({ length: 8 }, () => identity.redeemPairingCode(code, at(MINUTE))));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
    });

    it('caps a shopper’s devices not revoked, letting a known device in again and a new one once one is revoked', async () => {
      const { identity } = await fresh();
      const cap = { maxActive: 2 };
      const register = (label: string, ms: number, shopperId = SHOPPER) =>
        identity.registerDevice({ name: device(label, shopperId), shopperId, publicKey: null }, at(ms), cap);
      expect(await register('one', 0)).toBe('registered');
      expect(await register('two', 1)).toBe('registered');
      expect(await register('three', 2)).toBe('too-many');
      expect(await register('one', 3)).toBe('registered');
      expect(await register('tv', 4, OTHER)).toBe('registered');
      await identity.revoke(device('two'), at(MINUTE));
      expect(await register('two', 2 * MINUTE)).toBe('revoked');
      expect(await register('three', 2 * MINUTE)).toBe('registered');
      expect((await identity.devices(SHOPPER)).map((record) => record.name)).toEqual([device('one'), device('two'), device('three')]);
    });

    it('lets only as many new devices as the cap allows when several sign in at once', async () => {
      const { identity } = await fresh();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          identity.registerDevice({ name: device(`rush-${n}`), shopperId: SHOPPER, publicKey: null }, at(0), { maxActive: 3 }),
        ),
      );
      expect(results.filter((result) => result === 'registered')).toHaveLength(3);
      expect(results.filter((result) => result === 'too-many')).toHaveLength(5);
    });

    it('redeems a stream ticket once, for its holder and the protocol it was asked at, only before it expires', async () => {
      const { identity } = await fresh();
      const ticket = await identity.createStreamTicket({ holder: device('phone'), protocol: 9 }, 30_000, at(0));
      expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const results = await Promise.all(Array.from({ length: 4 }, () => identity.redeemStreamTicket(ticket, at(1_000))));
      expect(results.filter((grant) => grant !== undefined)).toEqual([{ holder: device('phone'), protocol: 9 }]);
      expect(results.filter((grant) => grant === undefined)).toHaveLength(3);
      const unnamed = await identity.createStreamTicket({ holder: device('phone'), protocol: undefined }, 30_000, at(0));
      expect(await identity.redeemStreamTicket(unnamed, at(0))).toEqual({ holder: device('phone'), protocol: undefined });
      const late = await identity.createStreamTicket({ holder: device('phone'), protocol: undefined }, 30_000, at(0));
      expect(await identity.redeemStreamTicket(late, at(30_000))).toBeUndefined();
      expect(await identity.redeemStreamTicket('x'.repeat(43), at(0))).toBeUndefined();
    });

    it('replaces a syncgroup spec only at the version it was read at', async () => {
      const { identity, reopen } = await fresh();
      const members = [{ pattern: '$owner', grants: ['read', 'admin'] as const }];
      expect(identity.syncgroup(device('x'), 'user')).toBeUndefined();
      expect(await identity.setSyncgroup('r', 'user', members, 0)).toBe(1);
      expect(await identity.setSyncgroup('r', 'user', members, 0)).toBeUndefined();
      const wider = [...members, { pattern: 'bluebottle:users:x', grants: ['read'] as const }];
      expect(await identity.setSyncgroup('r', 'user', wider, 1)).toBe(2);
      expect(identity.syncgroup('r', 'user')).toEqual({ members: wider, version: 2 });
      expect(identity.syncgroup('r', 'catalog')).toBeUndefined();
      const results = await Promise.all(Array.from({ length: 6 }, () => identity.setSyncgroup('r', 'user', members, 2)));
      expect(results.filter((result) => result === 3)).toHaveLength(1);
      expect((await reopen()).syncgroup('r', 'user')).toEqual({ members, version: 3 });
    });

    it('records drivers, lists those not removed, and removes one once, revoking all its devices together', async () => {
      const { identity, reopen } = await fresh();
      const heard: string[] = [];
      identity.onRevoked((name) => heard.push(name));
      await identity.createDriver({ id: 'dana', name: 'Dana Diaz' }, at(0));
      await identity.createDriver({ id: 'eli', name: 'Eli' }, at(1));
      const danaPhone = { name: driverDevice('dana', 'phone'), shopperId: driverReplica('dana'), publicKey: key('a') };
      const danaSpare = { name: driverDevice('dana', 'spare'), shopperId: driverReplica('dana'), publicKey: key('b') };
      const eliPhone = { name: driverDevice('eli', 'phone'), shopperId: driverReplica('eli'), publicKey: key('c') };
      for (const one of [danaPhone, danaSpare, eliPhone])
        expect(await identity.registerDevice(one, at(2), { maxActive: 5 })).toBe('registered');
      expect(await identity.driver('dana')).toEqual({ id: 'dana', name: 'Dana Diaz', createdAt: at(0).toISOString(), removedAt: null });
      expect((await identity.drivers()).map((driver) => driver.id)).toEqual(['dana', 'eli']);

      expect(await identity.removeDriver('dana', at(MINUTE))).toBe(true);
      expect(await identity.removeDriver('dana', at(2 * MINUTE))).toBe(false);
      expect(await identity.removeDriver('nobody', at(2 * MINUTE))).toBe(false);
      expect(heard.sort()).toEqual([danaPhone.name, danaSpare.name]);
      expect(identity.isRevoked(danaPhone.name) && identity.isRevoked(danaSpare.name)).toBe(true);
      expect(identity.isRevoked(eliPhone.name)).toBe(false);
      expect(await identity.driver('dana')).toMatchObject({ removedAt: at(MINUTE).toISOString() });
      expect((await identity.drivers()).map((driver) => driver.id)).toEqual(['eli']);
      expect((await identity.devices(driverReplica('dana'))).map((device) => device.revokedAt)).toEqual([
        at(MINUTE).toISOString(),
        at(MINUTE).toISOString(),
      ]);

      const again = await reopen();
      expect(again.isRevoked(danaSpare.name)).toBe(true);
      expect(again.isRevoked(eliPhone.name)).toBe(false);
      expect((await again.drivers()).map((driver) => driver.id)).toEqual(['eli']);
    });

    it('creates one account per email, whatever its letter case', async () => {
      const { identity } = await fresh();
      expect(await identity.createAccount({ email: 'Ada@Example.com', shopperId: SHOPPER, passwordHash: 'h1' }, at(0))).toBe(true);
      expect(await identity.createAccount({ email: 'ada@example.com', shopperId: OTHER, passwordHash: 'h2' }, at(0))).toBe(false);
      expect(await identity.account('ADA@example.com')).toEqual({ shopperId: SHOPPER, passwordHash: 'h1' });
      expect(await identity.account('bob@example.com')).toBeUndefined();
    });

    it('creates one account per shopper, and refuses a second one without failing, however many ask at once', async () => {
      const { identity } = await fresh();
      expect(await identity.createAccount({ email: 'ada@example.com', shopperId: SHOPPER, passwordHash: 'h1' }, at(0))).toBe(true);
      expect(await identity.createAccount({ email: 'ada.two@example.com', shopperId: SHOPPER, passwordHash: 'h2' }, at(0))).toBe(false);
      expect(await identity.account('ada.two@example.com')).toBeUndefined();
      // Two server nodes starting together both seed the demo account: the same email and shopper at once.
      for (let round = 0; round < 10; round += 1) {
        const account = {
          email: `seed-${round}@example.com`,
          shopperId: `c0ffee00-0000-4000-8000-0000000001${String(round).padStart(2, '0')}`,
          passwordHash: 'h',
        };
        const created = await Promise.all([identity.createAccount(account, at(0)), identity.createAccount(account, at(0))]);
        expect(created.filter(Boolean)).toHaveLength(1);
      }
    });
  });
}
