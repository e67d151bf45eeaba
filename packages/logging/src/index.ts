export {
  jsonLogger,
  logLevel,
  silentLogger,
  type DestinationStream,
  type JsonLoggerOptions,
  type Logger,
  type LogLevel,
} from './json-logger.ts';
export { CENSOR, redactSecrets } from './redact.ts';
export { isSecretKey } from './secret-keys.ts';
