import { httpStatusOf, PouroverError } from '@pourover/protocol';
import type { Principal } from '@pourover/schemas';
import { initTRPC } from '@trpc/server';
import { pouroverCodeOfTrpc, toTrpcError } from './errors.ts';
import type { Store } from './store/store.ts';
import type { IdentityStore } from './auth/identity-store.ts';
import type { ServerKey } from './auth/server-key.ts';
import type { RequestLimits } from './limits.ts';
import type { Syncgroups } from './permissions.ts';

export type ServerDeps = {
  store: Store;
  key: ServerKey;
  identity: IdentityStore;
  /** Every permission check reads the syncgroups through here. */
  syncgroups: Syncgroups;
  /** How long an access token of a device with a key lasts. */
  accessTokenSeconds: number;
  limits: RequestLimits;
  /** Whether the demo's dev sign-in may bless devices without a password. */
  devSignIn: boolean;
  now: () => Date;
};

export type Context = ServerDeps & {
  principal: Principal | undefined;
  /** A verified blessing not yet checked against revocations: the node was catching up on them when the request came. */
  unconfirmed?: Principal | undefined;
  /** Why the request carries no principal, for the refusal's message. */
  authProblem: string | undefined;
};

const t = initTRPC.context<Context>().create({
  isDev: false,
  sse: {
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
  errorFormatter({ shape, error }) {
    const code = pouroverCodeOfTrpc(error);
    const message = code === 'INTERNAL' ? 'internal server error' : shape.message;
    return { ...shape, message, data: { code, httpStatus: httpStatusOf[code], path: shape.data.path } };
  },
});

/** Turns every Pourover error thrown below into the tRPC error of its code. */
const typedErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof PouroverError) throw toTrpcError(result.error.cause);
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(typedErrors);

/** How long a request, or a live stream woken, waits for a node catching up on revocations before it is refused with UNAVAILABLE. */
export const CATCH_UP_WAIT_MS = 1_000;

/**
 * The principal of a request that came while the node was catching up on
 * revocations, once it has (a moment after its database answers again, so
 * most such requests are served rather than refused); still unsure after
 * `CATCH_UP_WAIT_MS`, `isRevoked` refuses with UNAVAILABLE.
 */
async function confirmed(ctx: Context, principal: Principal): Promise<Principal> {
  await ctx.identity.whenReady(CATCH_UP_WAIT_MS);
  if (ctx.identity.isRevoked(principal.name)) throw new PouroverError('UNAUTHENTICATED', 'this device was revoked');
  return principal;
}

/**
 * A procedure that needs a verified blessing; `ctx.principal` is set within
 * it. Devices are held to their request rate; the store's own workers (the
 * order processor) are not.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const principal = ctx.principal ?? (ctx.unconfirmed && (await confirmed(ctx, ctx.unconfirmed)));
  if (!principal) throw new PouroverError('UNAUTHENTICATED', ctx.authProblem ?? 'a blessing is required');
  if (principal.kind === 'device') ctx.limits.charge(principal.name);
  return next({ ctx: { ...ctx, principal } });
});
