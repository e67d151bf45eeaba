/**
 * `npm start`: the sync server on the embedded SQLite store, seeded with the
 * demo and serving the built shop, and the order processor beside it, as
 * two processes (`npm start` builds the shop first). Options pass
 * through to the server (`npm start -- --port 4100 --data /tmp/pourover`).
 * Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_OPTIONS } from '@pourover/sync-server/node-options';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const { values } = parseArgs({ args, options: { data: { type: 'string' }, help: { type: 'boolean' } }, strict: false });
const data = typeof values.data === 'string' ? values.data : './data';

function run(script: string, scriptArgs: string[], nodeOptions: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeOptions, '--import', 'tsx', join(root, script), ...scriptArgs], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const server = run(
  'sync-server/bin/pourover-server.ts',
  ['--seed', '--static', join(root, 'apps/shop/dist'), ...args],
  SERVER_NODE_OPTIONS,
);
const children: ChildProcess[] = [server];
let processorStarted = false;
let buffer = '';
server.stdout?.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (processorStarted) return;
  buffer += chunk.toString();
  const url = /listening on (http:\/\/\S+)/.exec(buffer)?.[1];
  if (!url) return;
  processorStarted = true;
  const processor = run('apps/processor/bin/pourover-processor.ts', [
    '--server',
    url,
    '--journal',
    join(data, 'processor-journal.sqlite'),
    '--ledger',
    join(data, 'payments.sqlite'),
    '--credentials',
    join(data, 'store.token'),
  ]);
  processor.stdout?.on('data', (out: Buffer) => process.stdout.write(out.toString().replace(/^(?=.)/gm, '[processor] ')));
  children.push(processor);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children)
  child.on('exit', (code) => {
    if (!stopping && code !== 0) stop();
  });
server.on('exit', (code) => {
  if (!args.includes('--help')) stop();
  Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve))))).then(
    () => process.exit(code ?? 0),
  );
});
