import { serverLogger, type Logger, type LogLevel } from '@pourover/sync-server';

export type LogLine = Record<string, unknown>;

/** A server logger at `level` whose lines are kept, parsed, in `lines` (and as written, in `text`). */
export function collectingLogger(level: LogLevel = 'info'): { logger: Logger; lines: LogLine[]; text: () => string } {
  const written: string[] = [];
  const lines: LogLine[] = [];
  const logger = serverLogger({
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
