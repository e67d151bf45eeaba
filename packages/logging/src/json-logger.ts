import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod';
import { redactSecrets } from './redact.ts';
import { stdoutLines } from './stdout-lines.ts';

export type { DestinationStream, Logger } from 'pino';

/** The levels `--log-level` and `POUROVER_LOG_LEVEL` take, quietest last. */
export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export type LogLevel = z.infer<typeof logLevel>;

export type JsonLoggerOptions = {
  level: LogLevel;
  /** Where lines go (default stdout, never blocking the event loop: `stdoutLines`). */
  destination?: DestinationStream;
  /** The program writing, as each line's `name` (`pourover-server`, say): one console may show several programs' lines. */
  name: string;
};

/**
 * The JSON logger of every Pourover program: one line per entry with a level
 * name, an ISO time, `name` and a `message`, every field named like a secret
 * redacted at any depth (`redactSecrets`), in the entry and in a child's
 * bindings. Done in pino's formatters rather than its `redact` paths, which
 * only reach paths named in advance (or cost tens of µs a line with wildcards).
 */
export function jsonLogger(options: JsonLoggerOptions): Logger {
  const logger = pino(
    {
      level: options.level,
      name: options.name,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings),
        log: (entry) => redactSecrets(entry),
      },
    },
    options.destination ?? stdoutLines(),
  );
  // pino runs `formatters.bindings` on the root's bindings only; a child's are redacted here (children inherit this).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

/** A logger that writes nothing, for programs started without one (most tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
