import { describe, expect, it } from 'vitest';
import { credentialOf, driverReplica, isReplicaName, principalOf, replicaName, shopperReplica, STORE } from './blessing.ts';

describe('replica names', () => {
  it('are the store’s, each shopper’s and each driver’s, and no other blessing (KB1)', () => {
    expect(isReplicaName(STORE)).toBe(true);
    expect(isReplicaName(shopperReplica('d00dfeed-0000-4000-8000-00000000000b'))).toBe(true);
    expect(isReplicaName(driverReplica('d00dfeed-0000-4000-8000-00000000000c'))).toBe(true);
    for (const name of [
      '',
      'bluebottle:',
      'bluebottle:users',
      'bluebottle:users:',
      'bluebottle:users:alice:phone',
      'bluebottle:drivers',
      'bluebottle:drivers:',
      'bluebottle:drivers:dana:phone',
      'bluebottle:owners:laptop',
      'bluebottle:admins:alice',
      'bluebottlex',
      `bluebottle:users:${'a'.repeat(65)}`,
      `bluebottle:drivers:${'a'.repeat(65)}`,
    ]) {
      expect(isReplicaName(name), name).toBe(false);
      expect(replicaName.safeParse(name).success, name).toBe(false);
    }
  });
});

describe('principals', () => {
  it('read the store, an owner’s device as the store, a shopper’s device and a driver’s device', () => {
    expect(principalOf(STORE)).toEqual({ kind: 'store', name: STORE });
    expect(principalOf('bluebottle:owners:laptop-1a2b3c')).toEqual({
      kind: 'store',
      name: STORE,
      device: 'bluebottle:owners:laptop-1a2b3c',
    });
    expect(principalOf('bluebottle:users:alice:phone')).toEqual({
      kind: 'device',
      name: 'bluebottle:users:alice:phone',
      shopperId: 'alice',
      deviceId: 'phone',
    });
    expect(principalOf('bluebottle:drivers:dana:phone')).toEqual({
      kind: 'driver',
      name: 'bluebottle:drivers:dana:phone',
      driverId: 'dana',
      deviceId: 'phone',
    });
  });

  it('are refreshed and revoked by the owner device’s own name, while authorized as the store', () => {
    const owner = principalOf('bluebottle:owners:laptop');
    expect(owner && credentialOf(owner)).toBe('bluebottle:owners:laptop');
    expect(credentialOf({ kind: 'store', name: STORE })).toBe(STORE);
    const driver = principalOf('bluebottle:drivers:dana:phone');
    expect(driver && credentialOf(driver)).toBe('bluebottle:drivers:dana:phone');
  });

  it('are no one for a replica’s name, a name too long or too short, or another kind', () => {
    for (const name of [
      'bluebottle:users:alice',
      'bluebottle:drivers:dana',
      'bluebottle:drivers:dana:phone:extra',
      'bluebottle:owners',
      'bluebottle:owners:laptop:extra',
      'bluebottle:admins:x:y',
      'coffee:users:alice:phone',
      'bluebottle:drivers::phone',
    ])
      expect(principalOf(name), name).toBeUndefined();
  });
});
