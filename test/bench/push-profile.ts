/**
 * Profiles the server under the capacity bench's push load: a server process
 * started with `--cpu-prof`, the same 200 devices as `pushRate`, then the
 * profile written when the server stops. Usage: `npx tsx test/bench/push-profile.ts
 * [OUT_DIR] [SECONDS] [RUNS]`, OUT_DIR `-` for the figures alone (no profile); summarise
 * a profile with `scripts/cpuprofile-summary.ts`.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServerProcess } from '../support/server-process.ts';
import { pushRate } from './capacity-figures.ts';
import { benchContext } from './context.ts';

const [outArg, secondsArg, runsArg] = process.argv.slice(2);
const out = outArg === '-' ? undefined : resolve(outArg ?? mkdtempSync(join(tmpdir(), 'pourover-push-profile-')));
const seconds = Number(secondsArg ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'pourover-push-profile-data-'));
const server = await startServerProcess(dir, undefined, [], out ? ['--cpu-prof', '--cpu-prof-dir', out] : []);
try {
  const pid = server.pid;
  if (pid === undefined) throw new Error('the server process has no pid');
  const figures = await pushRate(await benchContext(server), pid, {
    devices: 200,
    seconds,
    runs: Number(runsArg ?? 2),
    step: (s) => console.log(s),
  });
  for (const figure of figures)
    console.log(figure.name, figure.unit, figure.values.length > 5 ? '' : figure.values.map((v) => v.toFixed(1)).join(' '));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (out) console.log(`profiles in ${out}: ${readdirSync(out).join(', ')}`);
