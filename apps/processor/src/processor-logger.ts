import { jsonLogger, type DestinationStream, type Logger, type LogLevel } from '@pourover/logging';

export { logLevel, silentLogger, type Logger, type LogLevel } from '@pourover/logging';

/**
 * The processor's logger: Pourover's JSON lines (secrets redacted at any depth), named `pourover-processor`: one per
 * order processed at info, lease renewals at debug; to stdout by default.
 */
export function processorLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
  return jsonLogger({ ...options, name: 'pourover-processor' });
}
