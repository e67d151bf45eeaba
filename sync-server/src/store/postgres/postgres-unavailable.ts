import { PouroverError } from '@pourover/protocol';

/**
 * SQLSTATEs that say the database, not the request, failed: the server is
 * shutting down, crashed, starting or in recovery (57P01–57P03), a statement
 * ran out of time or was cancelled (57014), it has no connection to spare
 * (53300), or the connection is to a standby (25006). Class 08 (connection
 * exceptions) is matched by its prefix.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '53300', '25006']);

/** Socket errors of a server that is down, restarting or unreachable. */
const UNAVAILABLE_SOCKETS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** What `pg` and `pg-pool` say, with no code, when a connection broke, timed out or was never made; and a database closed to new sessions. */
const UNAVAILABLE_MESSAGES = [
  /is not currently accepting connections$/,
  /^Connection terminated/,
  /^timeout expired$/,
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
];

/** A server that took the connection but is read-only (a standby), where the node must write. */
export class ReadOnlyServer extends Error {
  constructor(host: string) {
    super(`the PostgreSQL server at ${host} is read-only (a standby, or not yet promoted)`);
  }
}

function isUnavailableCause(error: unknown): boolean {
  if (error instanceof ReadOnlyServer) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.has(code) || code.startsWith('08') || UNAVAILABLE_SOCKETS.has(code))) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * Whether an error means the database could not be reached or could not
 * answer, rather than that the request was wrong: the one place that tells
 * them apart. The error or anything in its chain of causes counts (a commit
 * whose COMMIT broke carries the connection's error as its cause).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof PouroverError) return error.code === 'UNAVAILABLE';
  for (let cause = error, depth = 0; cause !== undefined && depth < 8; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    if (isUnavailableCause(cause)) return true;
    if (!(cause instanceof Error)) return false;
  }
  return false;
}

/**
 * The error a request sees: the typed, retryable `UNAVAILABLE` for a
 * database that could not answer (its cause kept for the log, its words not
 * shown to clients), anything else unchanged.
 */
export function typedDatabaseError(error: unknown): unknown {
  if (error instanceof PouroverError || !isDatabaseUnavailable(error)) return error;
  return new PouroverError('UNAVAILABLE', 'the database is not answering; try again shortly', { cause: error });
}
