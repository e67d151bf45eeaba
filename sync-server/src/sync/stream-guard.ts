import { PouroverError } from '@pourover/protocol';
import { credentialOf } from '@pourover/schemas';
import { toTrpcError } from '../trpc/errors.ts';
import { CATCH_UP_WAIT_MS } from '../trpc/context.ts';
import type { Context } from '../trpc/trpc.ts';
import { DRAINING } from '../server/drain.ts';

export type StreamGuard = {
  /**
   * Throws (a typed error) once the stream's device has been revoked, when this node cannot be sure it was not within
   * a moment, or when the node drains to stop.
   */
  check(): Promise<void>;
  /** Calls `wake` when the device is revoked or the node starts draining, so a waiting stream notices at once. */
  onEnd(wake: () => void): void;
  release(): void;
};

/**
 * What every live stream holds for its lifetime: a watch on revocations that
 * ends it the moment its device is revoked, and on the node's drain, which
 * ends it with `UNAVAILABLE`, so the device opens it again after the
 * Retry-After, on another node or this one restarted. (Its places under the stream
 * limits were taken before tRPC saw the request, by limits/admission.ts, and
 * are given back when the response closes.)
 */
export function guardStream(ctx: Context & { principal: NonNullable<Context['principal']> }): StreamGuard {
  const name = credentialOf(ctx.principal);
  let revoked = false;
  let wake: () => void = () => {};
  // Revocations made through any server node on the same database arrive here.
  const stopWatching = ctx.identity.onRevoked((device) => {
    if (device !== name) return;
    revoked = true;
    wake();
  });
  const stopDrain = ctx.drain.onStart(() => wake());
  return {
    async check() {
      // Thrown inside the stream, after the middleware that types errors: each refusal gets its tRPC code here.
      if (ctx.drain.draining) throw toTrpcError(new PouroverError('UNAVAILABLE', DRAINING));
      // A node that lost track of revocations (its database connection broke) waits a moment for them, then ends the stream rather than serve it from a stale set.
      if (!ctx.identity.readiness().ready) await ctx.identity.whenReady(CATCH_UP_WAIT_MS);
      if (revoked) throw toTrpcError(new PouroverError('UNAUTHENTICATED', 'this device was revoked'));
      const current = ctx.identity.readiness();
      if (!current.ready) throw toTrpcError(new PouroverError('UNAVAILABLE', `${current.reason}; try again shortly`));
    },
    onEnd(callback) {
      wake = callback;
    },
    release() {
      stopWatching();
      stopDrain();
    },
  };
}
