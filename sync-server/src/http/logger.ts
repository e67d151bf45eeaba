import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod';

export type { Logger } from 'pino';

/** The levels `--log-level` and `POUROVER_LOG_LEVEL` take, quietest last. */
export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export type LogLevel = z.infer<typeof logLevel>;

/**
 * Keys whose values never reach the log, at the top of a line or in one of
 * `REDACTED_UNDER`: bearer and stream tokens, blessing tokens, pairing and
 * owner codes, passwords, payment tokens, and the headers that carry
 * credentials.
 */
export const REDACTED_KEYS = [
  'token',
  'accessToken',
  'refreshToken',
  'ticket',
  'blessingToken',
  'pairingCode',
  'ownerCode',
  'code',
  'password',
  'paymentToken',
  'signature',
  'authorization',
  'cookie',
  'metricsToken',
];

/**
 * Where a line may carry what a request sent. Named, not wildcards (`*.token`):
 * pino's wildcard redaction cost 30 µs a line here, named paths nothing measurable.
 */
export const REDACTED_UNDER = ['req', 'request', 'input', 'body', 'headers', 'params', 'error', 'req.headers', 'request.headers'];

const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, ...REDACTED_UNDER.map((parent) => `${parent}.${key}`)]);

/**
 * The server's logger: JSON lines with a level name, an ISO time and a
 * `message`, secrets redacted; to `destination` (stdout by default).
 */
export function serverLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
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

/** A logger that writes nothing, for servers started without one (most tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
