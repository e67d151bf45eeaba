import type { IncomingMessage, ServerResponse } from 'node:http';
import { PouroverError } from '@pourover/protocol';
import { loggedVersion } from './client-version.ts';
import { refuse } from './responses.ts';
import { setCommonHeaders } from './security-headers.ts';

export type LogLine = Record<string, string | number | boolean | undefined>;

/** What a request's log line says of it beyond the method, path, status and time: who made it and why it was refused. */
export type RequestNotes = {
  setPrincipal(req: IncomingMessage, name: string): void;
  setRefusal(req: IncomingMessage, refusal: { error: string; reason: string }): void;
};

/**
 * Every request through one place: its common headers, one line in the log
 * when it ends (codes and messages of refusals, never a token), and the one
 * error boundary: whatever `route` throws is answered typed, and nothing a
 * request carries can end the process.
 */
export function handleRequests(
  route: (req: IncomingMessage, res: ServerResponse) => void,
  options: { log: (line: LogLine) => void; now: () => Date },
): { handle(req: IncomingMessage, res: ServerResponse): void; notes: RequestNotes } {
  const principals = new WeakMap<IncomingMessage, string>();
  const refusals = new WeakMap<IncomingMessage, { error: string; reason: string }>();
  const notes: RequestNotes = {
    setPrincipal: (req, name) => void principals.set(req, name),
    setRefusal: (req, refusal) => void refusals.set(req, refusal),
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    res.on('close', () => {
      options.log({
        t: options.now().toISOString(),
        method: req.method,
        path: req.url?.split('?')[0],
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        blessing: principals.get(req),
        ...loggedVersion(req),
        ...refusals.get(req),
      });
    });
    try {
      setCommonHeaders(res);
      route(req, res);
    } catch (error) {
      const refusal = error instanceof PouroverError ? error : new PouroverError('INTERNAL', 'internal server error', { cause: error });
      refusals.set(req, { error: refusal.code, reason: refusal.code === 'INTERNAL' ? String(error) : refusal.message });
      refuse(res, refusal.code, refusal.message);
    }
  };
  return { handle, notes };
}
