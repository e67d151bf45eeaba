import { PouroverError } from '@pourover/protocol';
import type { Principal } from '@pourover/schemas';
import { confirmed } from '../auth/confirmed.ts';
import { checkClientVersion, clientVersionOf } from '../http/client-version.ts';
import type { Context } from './trpc.ts';

/**
 * What every call goes through before it runs: it is charged to its request
 * budgets (its client address's and, for a device, the device's and its
 * account's; the store's own workers are not held to them), then its
 * client's protocol is checked. The tRPC procedures and the plain push route
 * both call this.
 */
export async function admitCall(ctx: Context): Promise<void> {
  await ctx.limits.requests.charge({ principal: ctx.principal ?? ctx.unconfirmed, address: ctx.address });
  // Charged first: a refusal for the client's version costs its budget like any other answer.
  checkClientVersion(clientVersionOf(ctx.request), ctx.oldestProtocol);
}

/** The call's verified principal (once confirmed, on a node catching up on revocations), or UNAUTHENTICATED. */
export async function callerOf(ctx: Context): Promise<Principal> {
  const principal = ctx.principal ?? (ctx.unconfirmed && (await confirmed(ctx, ctx.unconfirmed)));
  if (!principal) throw new PouroverError('UNAUTHENTICATED', ctx.authProblem ?? 'a blessing is required');
  return principal;
}
