import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf, PouroverError, type ErrorCode } from '@pourover/protocol';
import type { ServerMetrics } from '../metrics/server-metrics.ts';
import { loggedVersion } from './client-version.ts';
import type { Logger } from './logger.ts';
import type { RequestNames } from './request-names.ts';
import { refuse } from './responses.ts';
import { setCommonHeaders } from './security-headers.ts';

/** What a request's log line says of it beyond the method, path, status and time: who made it and why it was refused. */
export type RequestNotes = {
  setPrincipal(req: IncomingMessage, name: string): void;
  setRefusal(req: IncomingMessage, refusal: { error: string; reason: string }): void;
};

const codeOfStatus = new Map(Object.entries(httpStatusOf).map(([code, status]): [number, ErrorCode] => [status, code as ErrorCode]));

/**
 * Every request through one place: its common headers; when it ends, one
 * log line (codes and messages of refusals, never a token; at debug for the
 * requests that repeat every few seconds, such as lease renewals and health
 * probes) and its count and latency in the metrics; and the one error
 * boundary: whatever `route` throws is answered typed, and nothing a
 * request carries can end the process.
 */
export function handleRequests(
  route: (req: IncomingMessage, res: ServerResponse) => void,
  options: { logger: Logger; metrics: ServerMetrics; names: RequestNames },
): { handle(req: IncomingMessage, res: ServerResponse): void; notes: RequestNotes } {
  const { logger, metrics, names } = options;
  const principals = new WeakMap<IncomingMessage, string>();
  const refusals = new WeakMap<IncomingMessage, { error: string; reason: string }>();
  const notes: RequestNotes = {
    setPrincipal: (req, name) => void principals.set(req, name),
    setRefusal: (req, refusal) => {
      refusals.set(req, refusal);
      metrics.refused(refusal.error);
    },
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    res.on('close', () => {
      const ms = performance.now() - started;
      const path = req.url?.split('?')[0] ?? '/';
      const name = names.of(path);
      const refusal = refusals.get(req);
      const code = refusal?.error ?? (res.statusCode < 400 ? 'OK' : (codeOfStatus.get(res.statusCode) ?? 'INTERNAL'));
      if (!refusal && code !== 'OK') metrics.refused(code);
      metrics.request({ procedure: name.procedure, code }, name.stream ? undefined : ms / 1000);
      const level = name.quiet ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level]({
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        blessing: principals.get(req),
        ...loggedVersion(req),
        ...refusal,
      });
    });
    try {
      setCommonHeaders(res);
      route(req, res);
    } catch (error) {
      const refusal = error instanceof PouroverError ? error : new PouroverError('INTERNAL', 'internal server error', { cause: error });
      notes.setRefusal(req, { error: refusal.code, reason: refusal.code === 'INTERNAL' ? String(error) : refusal.message });
      refuse(res, refusal.code, refusal.message);
    }
  };
  return { handle, notes };
}
