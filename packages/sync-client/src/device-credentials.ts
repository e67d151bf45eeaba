import { refreshMessage } from '@pourover/protocol';
import { DEVICE_DATABASE } from './device-presence.ts';
import type { SyncClient } from './sync-client.ts';

/** What a device keeps about itself: its key pair (the private half never leaves it) and its current blessing. */
export type DeviceState = { keys: CryptoKeyPair; blessing: string; token: string };

/** Where a device keeps its state: IndexedDB in a browser (CryptoKeys store as they are), memory in tests. */
export type DeviceStateStore = { load(): Promise<DeviceState | undefined>; save(state: DeviceState): Promise<void> };

export type Credentials = {
  /** The current access token. */
  token(): string;
  /** Gets a new access token by proving the device holds its key; resolves false if the server refused. */
  refresh(): Promise<boolean>;
};

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** The public half of a device's key, as the server takes it. */
export type DevicePublicKey = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

const toBase64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * A device's credentials: a non-extractable ECDSA P-256 key pair made on the
 * device, the blessing the server gave it, and a short-lived access token it
 * refreshes by signing a timestamped request with its key, so a device back
 * after days offline needs no new sign-in.
 */
export class DeviceCredentials implements Credentials {
  #state: DeviceState;
  readonly #store: DeviceStateStore;
  readonly #client: SyncClient;
  #refreshing: Promise<boolean> | undefined;
  #refusal: unknown;

  private constructor(state: DeviceState, store: DeviceStateStore, client: SyncClient) {
    this.#state = state;
    this.#store = store;
    this.#client = client;
  }

  get blessing(): string {
    return this.#state.blessing;
  }

  token(): string {
    return this.#state.token;
  }

  /** Why the last refresh failed (the server's refusal, or no connection), for the words to show; undefined after one that worked. */
  get refusal(): unknown {
    return this.#refusal;
  }

  /**
   * The device's saved credentials, or new ones: a key pair is made here and
   * `signIn` (dev sign-in, password or pairing code) blesses it.
   */
  static async open(options: {
    store: DeviceStateStore;
    client: (token: () => string) => SyncClient;
    signIn: (publicKey: DevicePublicKey) => Promise<{ token: string; blessing: string }>;
  }): Promise<DeviceCredentials> {
    let state = await options.store.load();
    if (!state) {
      const keys = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
      const { x = '', y = '' } = await crypto.subtle.exportKey('jwk', keys.publicKey);
      const signedIn = await options.signIn({ kty: 'EC', crv: 'P-256', x, y });
      state = { keys, ...signedIn };
      await options.store.save(state);
    }
    let credentials: DeviceCredentials | undefined;
    const client = options.client(() => credentials?.token() ?? '');
    credentials = new DeviceCredentials(state, options.store, client);
    return credentials;
  }

  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    const at = new Date().toISOString();
    const message = new TextEncoder().encode(refreshMessage(this.#state.blessing, at));
    const signature = toBase64Url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.#state.keys.privateKey, message));
    try {
      const { token } = await this.#client.auth.refresh.mutate({ device: this.#state.blessing, at, signature });
      this.#state = { ...this.#state, token };
      await this.#store.save(this.#state);
      this.#refusal = undefined;
      return true;
    } catch (error) {
      this.#refusal = error;
      return false;
    }
  }
}

/** Keeps a device's state in memory only (tests; a browser uses `indexedDBDeviceStore`). */
export function memoryDeviceStore(): DeviceStateStore {
  let saved: DeviceState | undefined;
  return { load: async () => saved, save: async (state) => void (saved = state) };
}

/** Keeps a device's state in its own IndexedDB database; CryptoKeys are stored as they are, never exported. */
export function indexedDBDeviceStore(indexedDB: IDBFactory, name = DEVICE_DATABASE): DeviceStateStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('device');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const run = async <T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>) => {
    const db = await open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const request = act(db.transaction('device', mode).objectStore('device'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  };
  return {
    load: () => run('readonly', (store) => store.get('self') as IDBRequest<DeviceState | undefined>),
    save: async (state) => void (await run('readwrite', (store) => store.put(state, 'self'))),
  };
}
