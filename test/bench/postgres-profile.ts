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
import type { ServerProcess } from '../support/server-process.ts';
import { pushesPerSecond, startNodes } from './postgres-figures.ts';

const [outArg, secondsArg, nodesArg] = process.argv.slice(2);
const out = outArg === '-' ? undefined : resolve(outArg ?? mkdtempSync(join(tmpdir(), 'pourover-pg-profile-')));
const seconds = Number(secondsArg ?? 5);
const setup = nodesArg === '1' ? 'PostgreSQL, one node' : 'PostgreSQL, two nodes';

/** CPU seconds used so far by each process named `postgres` on this machine (the throwaway cluster's, on a machine running no other). */
function postgresCpu(): Map<number, number> {
  const used = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'postgres') used.set(Number(name), cpuSeconds(Number(name)));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return used;
}

/** The CPU PostgreSQL's processes used between two readings: the processes in both (a backend that ended meanwhile is not counted). */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of after) used += seconds - (before.get(pid) ?? 0);
  return used;
}

const postgres = await startDurablePostgres();
if (!postgres) throw new Error("Debian's PostgreSQL is needed: apt-get install postgresql");
const dir = mkdtempSync(join(tmpdir(), 'pourover-pg-profile-data-'));
let database: { drop(): Promise<void> } | undefined;
let nodes: ServerProcess[] = [];
try {
  const created = await postgres.createDatabase();
  database = created;
  const started = await startNodes(setup, dir, created.url, out ? ['--cpu-prof', '--cpu-prof-dir', out] : []);
  nodes = started.nodes;
  const size = { runs: 1, pushers: 50, seconds, latencyPushes: 0 };
  await pushesPerSecond(nodes, started.keyFile, { ...size, seconds: 1 }, 0);
  const own = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const before = { nodes: nodes.map((node) => cpuSeconds(node.pid as number)), postgres: postgresCpu(), devices: own() };
  const begun = performance.now();
  const rate = await pushesPerSecond(nodes, started.keyFile, size, 1);
  const wall = (performance.now() - begun) / 1000;
  const used = [
    ...nodes.map((node, n) => ({ name: `node ${n + 1}`, seconds: cpuSeconds(node.pid as number) - (before.nodes[n] ?? 0) })),
    { name: 'PostgreSQL', seconds: postgresCpuBetween(before.postgres, postgresCpu()) },
    { name: 'devices (this process)', seconds: own() - before.devices },
  ];
  console.log(`${setup}: ${rate.toFixed(0)} pushes/s for ${wall.toFixed(1)} s`);
  for (const party of used)
    console.log(
      `  ${party.name}: ${((party.seconds / wall) * 100).toFixed(0)}% of a core, ${((party.seconds / (rate * wall)) * 1000).toFixed(2)} ms a push`,
    );
} finally {
  await Promise.all(nodes.map((node) => node.stop()));
  await database?.drop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (out) console.log(`profiles in ${out}: ${readdirSync(out).join(', ')}`);
