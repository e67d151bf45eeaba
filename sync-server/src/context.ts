import type { IncomingMessage } from 'node:http';
import { principalOf } from '@pourover/schemas';
import { verifyBlessing } from './auth/blessing-token.ts';
import type { Context, ServerDeps } from './trpc.ts';

/**
 * Reads the request's blessing: an `Authorization: Bearer` header, or for a
 * live stream (browsers cannot set headers on EventSource) the `token`
 * connection parameter.
 */
export function createContext(
  deps: ServerDeps,
  request: { req: IncomingMessage; info: { connectionParams: Record<string, string | undefined> | null } },
): Context {
  const header = request.req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : request.info.connectionParams?.['token'];
  if (!token) return { ...deps, principal: undefined, authProblem: 'a blessing is required' };
  const verified = verifyBlessing(deps.key, token, deps.now());
  if (!verified.ok) return { ...deps, principal: undefined, authProblem: `the blessing is ${verified.reason}` };
  const principal = principalOf(verified.claims.sub);
  if (!principal) return { ...deps, principal: undefined, authProblem: 'the blessing names no store or device' };
  // A node catching up on revocations cannot tell yet; procedures that need the principal wait for it (see `authedProcedure`).
  if (!deps.identity.readiness().ready) return { ...deps, principal: undefined, unconfirmed: principal, authProblem: undefined };
  if (deps.identity.isRevoked(principal.name)) return { ...deps, principal: undefined, authProblem: 'this device was revoked' };
  return { ...deps, principal, authProblem: undefined };
}
