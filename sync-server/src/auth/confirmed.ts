import { PouroverError } from '@pourover/protocol';
import { credentialOf, type Principal } from '@pourover/schemas';
import type { IdentityStore } from './identity-store.ts';

/** How long a request, or a live stream woken, waits for a node catching up on revocations before it is refused with UNAVAILABLE. */
export const CATCH_UP_WAIT_MS = 1_000;

/**
 * The principal of a request that came while the node was catching up on
 * revocations, once it has (a moment after its database answers again, so
 * most such requests are served rather than refused); still unsure after
 * `CATCH_UP_WAIT_MS`, `isRevoked` refuses with UNAVAILABLE.
 */
export async function confirmed(deps: { identity: IdentityStore }, principal: Principal): Promise<Principal> {
  await deps.identity.whenReady(CATCH_UP_WAIT_MS);
  if (deps.identity.isRevoked(credentialOf(principal))) throw new PouroverError('UNAUTHENTICATED', 'this device was revoked');
  return principal;
}
