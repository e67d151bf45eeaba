import { STORE } from '@pourover/schemas';
import type { IdentityStore } from './identity-store.ts';

/** How long a store owner's sign-in code stays valid. */
export const OWNER_CODE_MS = 60 * 60_000;

/**
 * A single-use code that signs a device in as the store (its root blessing): the
 * store owner's credential, made on the server's console and never handed
 * out over HTTP. Kept as a pairing code owned by the store's own name, which
 * no shopper id (a UUID) can be.
 */
export function createOwnerCode(identity: IdentityStore, now: Date): Promise<string> {
  return identity.createPairingCode(STORE, OWNER_CODE_MS, now);
}

/** Whether a redeemed code was made for the store owner rather than for a shopper's pairing. */
export const isOwnerCode = (owner: string) => owner === STORE;
