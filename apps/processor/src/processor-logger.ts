import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod';

export type { Logger } from 'pino';

/** The levels `--log-level` and `POUROVER_LOG_LEVEL` take. */
export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export type LogLevel = z.infer<typeof logLevel>;

/**
 * Keys whose values never reach the log, at the top of a line or under one of
 * the parents named (not wildcards: pino's wildcard redaction costs tens of µs
 * a line): the store's token, payment tokens, credentials.
 */
const REDACTED_KEYS = ['token', 'paymentToken', 'blessingToken', 'password', 'authorization', 'cookie'];
const PARENTS = ['order', 'profile', 'request', 'headers', 'error'];
const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, ...PARENTS.map((parent) => `${parent}.${key}`)]);

/**
 * The processor's logger: JSON lines with a level name, an ISO time and a
 * `message` (one per order processed at info, lease renewals at debug),
 * secrets redacted; to `destination` (stdout by default).
 */
export function processorLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing, for processors started without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
