import {
  createSyncClient,
  DeviceCredentials,
  errorCodeOf,
  indexedDBDeviceStore,
  type DevicePublicKey,
  type SyncClient,
} from '@pourover/sync-client';
import { forgetDevice, hasDeviceState } from '@pourover/sync-client/device-presence';
import { APP_BUILD } from './app-build.ts';
import { explain } from './words/error-words.ts';

/**
 * A device that talks to the server through calls alone, with no replica:
 * the store owner's browser, a driver's phone. Like a shopper's device it
 * makes a non-extractable key pair, signs in once, keeps its key and
 * blessing in an IndexedDB database of its own (`database`), and refreshes
 * its short-lived token by signing a request with its key.
 */
export type KeyedDevice = {
  /** Calls carry the current token. */
  client: SyncClient;
  /** The current token (the owner's photo uploads send it themselves). */
  token: () => string;
  /** The device's name on the server (`bluebottle:owners:<id>`, `bluebottle:drivers:<driver>:<id>`). */
  blessing: string;
  credentials: DeviceCredentials;
};

const url = () => location.origin;

/** Whether this browser holds a signed-in device of this kind. */
export const hasKeyedDevice = (database: string) => hasDeviceState(indexedDB, database);

/** Opens the device kept in `database`, or, with `signIn`, makes its key pair and signs it in. */
export async function openKeyedDevice(
  database: string,
  signIn?: (client: SyncClient, publicKey: DevicePublicKey) => Promise<{ token: string; blessing: string }>,
): Promise<KeyedDevice> {
  const credentials = await DeviceCredentials.open({
    store: indexedDBDeviceStore(indexedDB, database),
    client: (token) => createSyncClient({ url: url(), token, appBuild: APP_BUILD }),
    signIn: async (publicKey) => {
      if (!signIn) throw new Error('this device is not signed in');
      return signIn(createSyncClient({ url: url(), token: () => '', appBuild: APP_BUILD }), publicKey);
    },
  });
  const token = () => credentials.token();
  return { client: createSyncClient({ url: url(), token, appBuild: APP_BUILD }), token, blessing: credentials.blessing, credentials };
}

/** What a refresh came to: a fresh token, no connection (the old one is kept), or signed out by the server, in words. */
export type Freshness = { kind: 'fresh' } | { kind: 'offline' } | { kind: 'signed-out'; sentence: string };

/** Refreshes the device's token; a refusal of the server (revoked, driver removed) signs it out. */
export async function refreshKeyed(device: KeyedDevice): Promise<Freshness> {
  if (await device.credentials.refresh()) return { kind: 'fresh' };
  const refusal = device.credentials.refusal;
  return errorCodeOf(refusal) === 'UNAUTHENTICATED' ? { kind: 'signed-out', sentence: explain(refusal).sentence } : { kind: 'offline' };
}

/** How often a signed-in page refreshes its token: well within the server's 15-minute tokens. */
const REFRESH_EVERY_MS = 5 * 60_000;

/**
 * Keeps the device's token fresh while the page is open: at once (a reload
 * may come after the token expired), every few minutes, and when the page
 * is shown again. Calls `onSignedOut` once if the server refuses the device.
 * Returns the function that stops it.
 */
export function keepFresh(device: KeyedDevice, onSignedOut: (sentence: string) => void): () => void {
  let stopped = false;
  const check = () =>
    void refreshKeyed(device).then((fresh) => {
      if (fresh.kind !== 'signed-out' || stopped) return;
      stopped = true;
      onSignedOut(fresh.sentence);
    });
  const onShow = () => document.visibilityState === 'visible' && check();
  const timer = setInterval(check, REFRESH_EVERY_MS);
  document.addEventListener('visibilitychange', onShow);
  check();
  return () => {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onShow);
  };
}

/** Forgets the device's keys and blessing in this browser. */
export const forgetKeyedDevice = (database: string) => forgetDevice(indexedDB, database);
