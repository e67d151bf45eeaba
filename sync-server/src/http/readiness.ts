import type { ServerResponse } from 'node:http';
import { httpStatusOf } from '@pourover/protocol';
import type { IdentityStore } from '../auth/identity-store.ts';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../trpc/errors.ts';
import type { Store } from '../store/store.ts';

/**
 * `GET /readyz`, for a load balancer: 200 while the node can serve, 503
 * (`UNAVAILABLE`, with Retry-After and the reasons) while it cannot reach
 * its database or its view of other nodes' commits, revocations and
 * syncgroups may be stale. `/healthz` stays a liveness check: a node that
 * is not ready is still alive, and comes back by itself.
 */
export function answerReadiness(res: ServerResponse, parts: { store: Store; identity: IdentityStore }): void {
  const reasons = [parts.store.readiness(), parts.identity.readiness()].flatMap((part) => (part.ready ? [] : [part.reason]));
  if (reasons.length === 0) {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    return void res.end(JSON.stringify({ ready: true }));
  }
  const status = httpStatusOf.UNAVAILABLE;
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS),
  });
  res.end(
    JSON.stringify({ ready: false, reasons, error: { message: reasons.join('; '), data: { code: 'UNAVAILABLE', httpStatus: status } } }),
  );
}
