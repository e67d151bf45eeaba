import { PouroverError } from '@pourover/protocol';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '@pourover/schemas';
import { confirmed } from '../auth/confirmed.ts';
import type { IdentityStore } from '../auth/identity-store.ts';
import { checkClientVersion, clientVersionOf } from '../http/client-version.ts';
import type { Limits } from '../limits/open-limits.ts';

/** What the checks read of a call's context (trpc.ts's `Context`, named field by field: that file imports this one). */
type Call = {
  limits: Limits;
  identity: IdentityStore;
  oldestProtocol: number;
  address: string;
  request: IncomingMessage;
  principal: Principal | undefined;
  unconfirmed?: Principal | undefined;
  authProblem: string | undefined;
};

/**
 * What every call goes through before it runs: it is charged to its request
 * budgets (its client address's and, for a device, the device's and its
 * account's; the store's own workers are not held to them), then its
 * client's protocol is checked. The tRPC procedures and the plain push route
 * both call this.
 */
export async function admitCall(ctx: Call): Promise<void> {
  await ctx.limits.requests.charge({ principal: ctx.principal ?? ctx.unconfirmed, address: ctx.address });
  // Charged first: a refusal for the client's version costs its budget like any other answer.
  checkClientVersion(clientVersionOf(ctx.request), ctx.oldestProtocol);
}

/** The call's verified principal (once confirmed, on a node catching up on revocations), or UNAUTHENTICATED. */
export async function callerOf(ctx: Call): Promise<Principal> {
  const principal = ctx.principal ?? (ctx.unconfirmed && (await confirmed(ctx, ctx.unconfirmed)));
  if (!principal) throw new PouroverError('UNAUTHENTICATED', ctx.authProblem ?? 'a blessing is required');
  return principal;
}
