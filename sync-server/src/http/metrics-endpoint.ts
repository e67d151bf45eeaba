import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { httpStatusOf, type ErrorCode } from '@pourover/protocol';
import type { ServerMetrics } from '../metrics/server-metrics.ts';
import { hostIsLoopback } from './loopback-host.ts';
import { errorBody, json } from './responses.ts';

/** Whether an address is this machine's: 127.0.0.0/8, ::1, or an IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4 && isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

const digest = (text: string) => createHash('sha256').update(text).digest();

type Access = { ok: true } | { ok: false; code: ErrorCode; message: string };

/**
 * A caller on this machine: the connection's peer is a loopback address, no proxy relayed the request, and its `Host`
 * names a loopback host. A forwarded address is never trusted here, since whoever reaches the node directly could write
 * one; and a browser page that rebound its own domain to 127.0.0.1 (DNS rebinding) connects from loopback too, but
 * sends its domain as `Host`.
 */
function fromThisMachine(req: IncomingMessage): boolean {
  const relayed = req.headers['x-forwarded-for'] !== undefined || req.headers['forwarded'] !== undefined;
  return !relayed && isLoopbackAddress(req.socket.remoteAddress ?? '') && hostIsLoopback(req.headers.host);
}

/**
 * Who may read `/metrics`: a caller on this machine, or anyone with the metrics bearer token. A wrong token is refused
 * even from loopback.
 */
export function metricsAccess(req: IncomingMessage, options: { token: string | undefined }): Access {
  const header = req.headers.authorization;
  if (header !== undefined) {
    if (options.token === undefined) {
      return { ok: false, code: 'FORBIDDEN', message: 'this server has no metrics token (POUROVER_METRICS_TOKEN or --metrics-token)' };
    }
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Compared as digests, in constant time: the answer's timing tells nothing of the token.
    if (timingSafeEqual(digest(given), digest(options.token))) return { ok: true };
    return { ok: false, code: 'FORBIDDEN', message: 'the metrics token is wrong' };
  }
  if (fromThisMachine(req)) return { ok: true };
  return {
    ok: false,
    code: 'UNAUTHENTICATED',
    message:
      'metrics are served to callers on this machine, or with the metrics bearer token (Authorization: Bearer <POUROVER_METRICS_TOKEN>)',
  };
}

/** `GET /metrics`: the node's metrics in Prometheus text format, for the callers `metricsAccess` lets in. */
export function answerMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  options: { metrics: ServerMetrics; token: string | undefined },
): void {
  const { registry } = options.metrics;
  if (!registry) return json(res, 404, errorBody('NOT_FOUND', 'metrics are off on this server'));
  const access = metricsAccess(req, options);
  if (!access.ok) {
    if (access.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer realm="pourover metrics"');
    return json(res, httpStatusOf[access.code], errorBody(access.code, access.message));
  }
  void registry.metrics().then(
    (text) => {
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(text);
    },
    () => json(res, 500, errorBody('INTERNAL', 'internal server error')),
  );
}
