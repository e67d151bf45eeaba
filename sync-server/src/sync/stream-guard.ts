import { PouroverError } from '@pourover/protocol';
import { credentialOf } from '@pourover/schemas';
import { toTrpcError } from '../trpc/errors.ts';
import { CATCH_UP_WAIT_MS } from '../trpc/context.ts';
import type { Context } from '../trpc/trpc.ts';

export type StreamGuard = {
  /** Throws (a typed error) once the stream's device has been revoked, or when this node cannot be sure it was not within a moment. */
  check(): Promise<void>;
  /** Calls `wake` when the device is revoked, so a waiting stream notices at once. */
  onRevoked(wake: () => void): void;
  release(): void;
};

/**
 * What every live stream holds for its lifetime: a watch on revocations that
 * ends it the moment its device is revoked. (Its places under the stream
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
  return {
    async check() {
      // A node that lost track of revocations (its database connection broke) waits a moment for them, then ends the stream rather than serve it from a stale set.
      if (!ctx.identity.readiness().ready) await ctx.identity.whenReady(CATCH_UP_WAIT_MS);
      // Thrown inside the stream, after the middleware that types errors: give it its tRPC code here.
      if (revoked) throw toTrpcError(new PouroverError('UNAUTHENTICATED', 'this device was revoked'));
      const current = ctx.identity.readiness();
      if (!current.ready) throw toTrpcError(new PouroverError('UNAVAILABLE', `${current.reason}; try again shortly`));
    },
    onRevoked(callback) {
      wake = callback;
    },
    release() {
      stopWatching();
    },
  };
}
