import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod';
import { redactSecrets } from './redact.ts';

export type { DestinationStream, Logger } from 'pino';

/** The levels `--log-level` and `POUROVER_LOG_LEVEL` take, quietest last. */
export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export type LogLevel = z.infer<typeof logLevel>;

export type JsonLoggerOptions = {
  level: LogLevel;
  /** Where lines go (default stdout, written asynchronously: `stdoutLines`). */
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

/** How many bytes of lines may wait for a stdout that is not read before new lines are dropped rather than kept. */
export const STDOUT_BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * Stdout as pino's asynchronous destination: lines written while a write is
 * under way go together in the next one, and whatever waits is flushed when
 * the process exits. Not synchronous: on a pipe that is full (a slow reader),
 * a synchronous write makes sonic-boom sleep 100 ms with the event loop
 * blocked, and a profile of 200 pushing devices spent 10% of the server's
 * samples there and answered nothing meanwhile. A reader that stops reading
 * altogether costs dropped lines past `STDOUT_BACKLOG_BYTES`, not memory.
 */
function stdoutLines(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, maxLength: STDOUT_BACKLOG_BYTES });
}

/** A logger that writes nothing, for programs started without one (most tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
