/**
 * A program that logs `LINES` lines through the default destination (stdout),
 * or a stdout of its own holding at most `BACKLOG` bytes waiting, and then
 * says so on stderr; `exit` after that ends it with process.exit, as the
 * server's fatal paths do. For `stdout-lines.test.ts`.
 */
import { jsonLogger } from '../src/json-logger.ts';
import { FdLines } from '../src/stdout-lines.ts';

const lines = Number(process.env['LINES']);
const backlog = process.env['BACKLOG'];
const logger = jsonLogger({ level: 'info', name: 'write-lines', ...(backlog ? { destination: new FdLines(1, Number(backlog)) } : {}) });
for (let n = 0; n < lines; n += 1) logger.info({ n, padding: 'x'.repeat(200) });
process.stderr.write('logged\n');
process.stdin.once('data', () => process.exit(0));
