import { serverLogger, type Logger, type LogLevel } from '@pourover/sync-server';
import type { DestinationStream } from '@pourover/logging';

export type LogLine = Record<string, unknown>;

type MakeLogger = (options: { level: LogLevel; destination: DestinationStream }) => Logger;

/** A logger at `level` (the server's, or `make`'s) whose lines are kept, parsed, in `lines` (and as written, in `text`). */
export function collectingLogger(
  level: LogLevel = 'info',
  make: MakeLogger = serverLogger,
): { logger: Logger; lines: LogLine[]; text: () => string } {
  const written: string[] = [];
  const lines: LogLine[] = [];
  const logger = make({
    level,
    destination: {
      write(line: string) {
        written.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { logger, lines, text: () => written.join('') };
}
