import { httpStatusOf, PouroverError } from '@pourover/protocol';
import type { Principal } from '@pourover/schemas';
import { initTRPC } from '@trpc/server';
import type { IncomingMessage } from 'node:http';
import { admitCall, callerOf } from './call-checks.ts';
import { pouroverCodeOfTrpc, toTrpcError } from './errors.ts';
import type { Store } from '../store/store.ts';
import type { IdentityStore } from '../auth/identity-store.ts';
import type { ServerKey } from '../auth/server-key.ts';
import type { Limits } from '../limits/open-limits.ts';
import type { ServerMetrics } from '../metrics/server-metrics.ts';
import type { Syncgroups } from '../sync/permissions.ts';
import type { ServerApp } from '../app/server-app.ts';
import type { DrainSignal } from '../server/drain.ts';

export type ServerDeps = {
  /** The app the server runs: its collections and their server-side hooks. */
  app: ServerApp;
  store: Store;
  key: ServerKey;
  identity: IdentityStore;
  /** Every permission check reads the syncgroups through here. */
  syncgroups: Syncgroups;
  /** How long an access token of a device with a key lasts. */
  accessTokenSeconds: number;
  limits: Limits;
  /** Whether the demo's dev sign-in may bless devices without a password. */
  devSignIn: boolean;
  /** The oldest protocol a client may speak and be served. */
  oldestProtocol: number;
  /** What the node counts for `/metrics`. */
  metrics: ServerMetrics;
  /** The node's drain on SIGTERM, which ends every live stream. */
  drain: DrainSignal;
  now: () => Date;
};

export type Context = ServerDeps & {
  /** The client address the request counts under (see limits/client-address.ts). */
  address: string;
  principal: Principal | undefined;
  /** A verified blessing not yet checked against revocations: the node was catching up on them when the request came. */
  unconfirmed?: Principal | undefined;
  /** Why the request carries no principal, for the refusal's message. */
  authProblem: string | undefined;
  /** The request's version headers, as sent (read and checked by every procedure). */
  request: IncomingMessage;
};

const t = initTRPC.context<Context>().create({
  isDev: false,
  // A live stream hears from the server every 2 s, so a device whose network is gone (even idle, with no request to fail)
  // knows it within 4.5 s and says it is offline; 2.5 s of slack keep a busy server's late ping from cutting a stream.
  sse: {
    ping: { enabled: true, intervalMs: 2_000 },
    client: { reconnectAfterInactivityMs: 4_500 },
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

/**
 * Every call is charged to its request budgets before it runs: its client
 * address's and, for a device, the device's and its account's (the store's
 * own store-side workers are not held to them).
 */
export const publicProcedure = t.procedure.use(typedErrors).use(async ({ ctx, next }) => {
  await admitCall(ctx);
  return next();
});

/** A procedure that needs a verified blessing; `ctx.principal` is set within it (once confirmed, on a node catching up). */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const principal = await callerOf(ctx);
  // tRPC merges this into the context itself: passing the whole context again made it copy every field twice a call.
  return next({ ctx: { principal } });
});
