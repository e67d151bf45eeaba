import type { ServerResponse } from 'node:http';
import { httpStatusOf, PROTOCOL_VERSION } from '@pourover/protocol';
import type { IdentityStore } from '../auth/identity-store.ts';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../trpc/errors.ts';
import type { Store } from '../store/store.ts';
import { SERVER_VERSION } from '../version.ts';
import { json } from './responses.ts';

/**
 * `GET /readyz`, for a load balancer: 200 while the node can serve, 503
 * (`UNAVAILABLE`, with Retry-After and the reasons) while it cannot reach
 * its database or its view of other nodes' commits, revocations and
 * syncgroups may be stale. `/healthz` stays a liveness check: a node that
 * is not ready is still alive, and comes back by itself, unless its store
 * says only a restart helps (`answerLiveness`).
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

/**
 * `GET /healthz`, liveness: 200 while the process answers, unless its store can never serve again without a restart
 * (its disk refused a sync): then 500 with the reason, so a supervisor restarts it.
 */
export function answerLiveness(res: ServerResponse, store: Store): void {
  const readiness = store.readiness();
  if (!readiness.ready && readiness.fatal) return json(res, 500, { ok: false, reason: readiness.reason });
  json(res, 200, { ok: true, version: SERVER_VERSION, store: store.kind, protocol: PROTOCOL_VERSION });
}
