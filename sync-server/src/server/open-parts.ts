import { join } from 'node:path';
import type { IdentityStore } from '../auth/identity-store.ts';
import { openIdentityStore } from '../auth/open-identity-store.ts';
import { loadServerKey, type ServerKey } from '../auth/server-key.ts';
import type { ImageStore } from '../images/image-store.ts';
import { openImageStore } from '../images/open-image-store.ts';
import type { LimitOverrides } from '../limits/limit-settings.ts';
import { openLimits, type Limits } from '../limits/open-limits.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';

/** What a server node keeps open while it runs. */
export type ServerParts = {
  store: Store;
  key: ServerKey;
  identity: IdentityStore;
  images: ImageStore;
  limits: Limits;
  close(): Promise<void>;
};

/**
 * Opens a node's parts over the PostgreSQL database `store` names, or the
 * SQLite files in `dataDir`: documents, the signing key, identities, images
 * and limits. A part that fails to open closes those opened before it.
 */
export async function openParts(options: {
  dataDir: string;
  store: string | undefined;
  keyFile: string | undefined;
  poolSize: number | undefined;
  limits: LimitOverrides | undefined;
  /** A clock for tests; PostgreSQL otherwise judges time by its own, which every node shares. */
  now: (() => Date) | undefined;
  onError: (part: string, error: unknown) => void;
  /** Told the size of each group commit the store writes. */
  onGroup: (commits: number) => void;
}): Promise<ServerParts> {
  const opened: { close(): Promise<void> }[] = [];
  const kept = <T extends { close(): Promise<void> }>(part: T): T => {
    opened.push(part);
    return part;
  };
  try {
    const store = kept(
      await openStore({
        dataDir: options.dataDir,
        store: options.store,
        poolSize: options.poolSize,
        now: options.now,
        onError: (error) => options.onError('store', error),
        onGroup: options.onGroup,
      }),
    );
    const key = loadServerKey(options.keyFile ?? join(options.dataDir, 'server-key.pem'));
    const identity = kept(
      await openIdentityStore({
        dataDir: options.dataDir,
        store: options.store,
        key,
        onError: (error) => options.onError('identity', error),
      }),
    );
    const images = kept(
      await openImageStore({ dataDir: options.dataDir, store: options.store, onError: (error) => options.onError('images', error) }),
    );
    const limits = kept(
      openLimits({ overrides: options.limits, store: options.store, onError: (error) => options.onError('limits', error) }),
    );
    return { store, key, identity, images, limits, close: () => closeAll(opened) };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

async function closeAll(parts: readonly { close(): Promise<void> }[]) {
  for (const part of parts) await part.close();
}
