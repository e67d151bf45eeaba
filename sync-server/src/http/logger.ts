import { jsonLogger, type DestinationStream, type Logger, type LogLevel } from '@pourover/logging';

export { logLevel, silentLogger, type Logger, type LogLevel } from '@pourover/logging';

/** The server's logger: Pourover's JSON lines (secrets redacted at any depth), named `pourover-server`; to stdout by default. */
export function serverLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
  return jsonLogger({ ...options, name: 'pourover-server' });
}
