import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STORE } from '@pourover/schemas';
import { signBlessing } from '../auth/blessing-token.ts';
import type { IdentityStore } from '../auth/identity-store.ts';
import { createOwnerCode } from '../auth/owner-code.ts';
import type { ServerKey } from '../auth/server-key.ts';
import type { ImageStore } from '../images/image-store.ts';
import type { Store } from '../store/store.ts';
import type { ServerApp } from '../app/server-app.ts';

/** How long the demo's store token lasts. */
const DEMO_STORE_TOKEN_SECONDS = 30 * 24 * 3600;

/**
 * Seeds a server for the demo: the app's demo data; the store's credentials
 * for the store's workers run beside it (`<dataDir>/store.token`, its
 * owner's alone); and a store owner's sign-in code, returned for the console
 * to show once.
 */
export async function seedServer(parts: {
  app: ServerApp;
  store: Store;
  identity: IdentityStore;
  images: ImageStore;
  key: ServerKey;
  dataDir: string;
  now: Date;
}): Promise<string> {
  const { store, identity, images, key, dataDir, now } = parts;
  await parts.app.demo?.seed({ store, identity, images, now });
  // On PostgreSQL with a key file elsewhere, nothing else has created the data folder yet.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = signBlessing(key, { name: STORE, ttlSeconds: DEMO_STORE_TOKEN_SECONDS, now });
  writeFileSync(join(dataDir, 'store.token'), `${token}\n`, { mode: 0o600 });
  return createOwnerCode(identity, now);
}
