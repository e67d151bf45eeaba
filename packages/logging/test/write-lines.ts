/**
 * A program that logs `LINES` lines through the default destination (stdout)
 * and then says so on stderr; `exit` after that ends it with process.exit, as
 * the server's fatal paths do. For `stdout-lines.test.ts`.
 */
import { jsonLogger } from '../src/json-logger.ts';

const lines = Number(process.env['LINES']);
const logger = jsonLogger({ level: 'info', name: 'write-lines' });
for (let n = 0; n < lines; n += 1) logger.info({ n, padding: 'x'.repeat(200) });
process.stderr.write('logged\n');
process.stdin.once('data', () => process.exit(0));
