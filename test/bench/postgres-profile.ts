/**
 * Where the CPU goes while server nodes on one PostgreSQL take pushes, as the postgres group's "PostgreSQL, two nodes"
 * runs them: each node started with `--cpu-prof`, 50 devices pushing new drafts (each through the node after the one
 * it streams from) for SECONDS, then the CPU each party used meanwhile (every node, PostgreSQL's processes, this
 * process with the devices) and the pushes per second; each node writes its profile when it stops. Usage:
 * `npx tsx test/bench/postgres-profile.ts [OUT_DIR] [SECONDS] [NODES]`, OUT_DIR `-` for the figures alone; summarise a
 * profile with `scripts/cpuprofile-summary.ts`. Needs Debian's PostgreSQL (a throwaway cluster, fsync on).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDurablePostgres } from '@pourover/sync-server/test-postgres';
import { cpuSeconds } from './capacity-figures.ts';
import { pushesPerSecond, startNodes } from './postgres-figures.ts';

const [outArg, secondsArg, nodesArg] = process.argv.slice(2);
const out = outArg === '-' ? undefined : resolve(outArg ?? mkdtempSync(join(tmpdir(), 'pourover-pg-profile-')));
const seconds = Number(secondsArg ?? 5);
const setup = nodesArg === '1' ? 'PostgreSQL, one node' : 'PostgreSQL, two nodes';

/** The processes named `postgres` on this machine: the throwaway cluster's, on a machine running no other. */
function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    });
}

const postgres = await startDurablePostgres();
if (!postgres) throw new Error("Debian's PostgreSQL is needed: apt-get install postgresql");
const dir = mkdtempSync(join(tmpdir(), 'pourover-pg-profile-data-'));
const database = await postgres.createDatabase();
const { nodes, keyFile } = await startNodes(setup, dir, database.url, out ? ['--cpu-prof', '--cpu-prof-dir', out] : []);
try {
  const size = { runs: 1, pushers: 50, seconds, latencyPushes: 0 };
  await pushesPerSecond(nodes, keyFile, { ...size, seconds: 1 }, 0);
  const parties = () => [
    ...nodes.map((node, n) => ({ name: `node ${n + 1}`, seconds: cpuSeconds(node.pid as number) })),
    { name: 'PostgreSQL', seconds: postgresPids().reduce((sum, pid) => sum + cpuSeconds(pid), 0) },
    { name: 'devices (this process)', seconds: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 },
  ];
  const before = parties();
  const started = performance.now();
  const rate = await pushesPerSecond(nodes, keyFile, size, 1);
  const wall = (performance.now() - started) / 1000;
  const after = parties();
  console.log(`${setup}: ${rate.toFixed(0)} pushes/s for ${wall.toFixed(1)} s`);
  for (const [i, party] of after.entries()) {
    const used = party.seconds - (before[i]?.seconds ?? 0);
    console.log(`  ${party.name}: ${((used / wall) * 100).toFixed(0)}% of a core, ${((used / (rate * wall)) * 1000).toFixed(2)} ms a push`);
  }
} finally {
  await Promise.all(nodes.map((node) => node.stop()));
  await database.drop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (out) console.log(`profiles in ${out}: ${readdirSync(out).join(', ')}`);
