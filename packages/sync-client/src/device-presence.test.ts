import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDBDeviceStore } from './device-credentials.ts';
import { forgetDevice, hasDeviceState } from './device-presence.ts';

describe('whether a browser holds a signed-in device', () => {
  it('is no before a sign-in (and looking creates nothing), yes after, and no once the device is forgotten', async () => {
    const indexedDB = new IDBFactory();
    expect(await hasDeviceState(indexedDB)).toBe(false);
    expect((await indexedDB.databases()).map((db) => db.name)).toEqual([]);
    const keys = { publicKey: {}, privateKey: {} } as unknown as CryptoKeyPair;
    await indexedDBDeviceStore(indexedDB).save({ keys, blessing: 'root:users:u:phone', token: 't' });
    expect(await hasDeviceState(indexedDB)).toBe(true);
    await forgetDevice(indexedDB);
    expect(await hasDeviceState(indexedDB)).toBe(false);
  });
});
