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

/**
 * A procedure that needs a verified blessing; `ctx.principal` is set within
 * it. Devices are held to their request rate; the store's own workers (the
 * order processor) are not.
 */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new PouroverError('UNAUTHENTICATED', ctx.authProblem ?? 'a blessing is required');
  if (ctx.principal.kind === 'device') ctx.limits.charge(ctx.principal.name);
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});
