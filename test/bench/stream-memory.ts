/**
 * The server's RSS with many idle live streams open, as the capacity bench
 * measures it (`streamMemory`), on a server process of its own. Usage: `npx tsx
 * test/bench/stream-memory.ts [LEVELS] [SERVER_ENTRY]`: LEVELS like `1000,10000` (default `1000`); SERVER_ENTRY
 * another tree's `sync-server/bin/pourover-server.ts`, to measure it beside this one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAppServerProcess, startServerProcess } from '../support/server-process.ts';
import { streamMemory } from './capacity-figures.ts';
import { benchContext } from './context.ts';
import { median } from './stats.ts';

const [levelsArg, entryArg] = process.argv.slice(2);
const levels = (levelsArg ?? '1000').split(',').map(Number);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const dir = mkdtempSync(join(tmpdir(), 'pourover-stream-memory-'));
const server = entryArg ? await startAppServerProcess(resolve(entryArg), dir) : await startServerProcess(dir);
try {
  const pid = server.pid;
  if (pid === undefined) throw new Error('the server process has no pid');
  console.log(`server ${entryArg ?? 'of this tree'}; load average at start ${load()}`);
  const figures = await streamMemory(await benchContext(server), pid, { levels, step: (s) => console.log(s) });
  for (const figure of figures) console.log(`${figure.name}: median ${median(figure.values).toFixed(1)} ${figure.unit}`);
  console.log(`load average at end ${load()}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
