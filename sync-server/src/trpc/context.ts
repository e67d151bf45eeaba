import type { IncomingMessage } from 'node:http';
import { credentialOf, principalOf, type Principal } from '@pourover/schemas';
import { verifyBlessing } from '../auth/blessing-token.ts';
import type { Context, ServerDeps } from './trpc.ts';

export { CATCH_UP_WAIT_MS, confirmed } from '../auth/confirmed.ts';

/**
 * Who a request is: a principal; or, while the node catches up on
 * revocations (its database connection broke), a principal not yet checked
 * against them (`unconfirmed`, see `confirmed`); or why it is no one.
 */
export type Authentication =
  | { principal: Principal; unconfirmed?: never; problem?: never }
  | { unconfirmed: Principal; principal?: never; problem?: never }
  | { problem: string; principal?: never; unconfirmed?: never };

/** The principal a blessing token names, if its signature, lifetime and device (not revoked) hold. */
export function authenticate(deps: Pick<ServerDeps, 'key' | 'identity' | 'now'>, token: string): Authentication {
  const verified = verifyBlessing(deps.key, token, deps.now());
  if (!verified.ok) return { problem: `the blessing is ${verified.reason}` };
  return principalNamed(deps, verified.claims.sub);
}

/** The principal of a blessing name the server vouched for (a verified token, a redeemed stream ticket). */
export function principalNamed(deps: Pick<ServerDeps, 'identity'>, name: string): Authentication {
  const principal = principalOf(name);
  if (!principal) return { problem: 'the blessing names no store, owner, shopper or driver device' };
  if (!deps.identity.readiness().ready) return { unconfirmed: principal };
  if (deps.identity.isRevoked(credentialOf(principal))) return { problem: 'this device was revoked' };
  return { principal };
}

/**
 * Reads the request's blessing from its `Authorization: Bearer` header; a
 * live stream's was read by the stream admission (from its ticket) before
 * tRPC saw the request, and comes as `admitted`. Connection parameters are
 * never read here: a token in them is refused before.
 */
export function createContext(deps: ServerDeps, req: IncomingMessage, admitted: Principal | undefined): Context {
  const address = deps.limits.addressOf(req);
  if (admitted) return { ...deps, address, request: req, principal: admitted, authProblem: undefined };
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer '))
    return { ...deps, address, request: req, principal: undefined, authProblem: 'a blessing is required' };
  const found = authenticate(deps, header.slice(7));
  return { ...deps, address, request: req, principal: found.principal, unconfirmed: found.unconfirmed, authProblem: found.problem };
}
