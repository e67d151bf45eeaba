/**
 * The sync server on PostgreSQL, with one node and with two, next to the
 * embedded SQLite store measured the same way in the same run: pushes per
 * second from many devices at once, and how long a push takes to reach a
 * device's live stream (on the other node when there are two). PostgreSQL
 * syncs every commit as SQLite does: a throwaway cluster with fsync on where
 * PostgreSQL is installed, else the tests' server (`POUROVER_TEST_PG_URL`)
 * with its settings stated; without either, the figures say why not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { postgresMissing, startDurablePostgres, startTestPostgres, type TestPostgres } from '@pourover/sync-server/test-postgres';
import { Client } from 'pg';
import { LightDevice } from '../support/light-device.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { percentile, type Samples } from './stats.ts';

type Figures = (Samples & { baseline?: string })[];
type Size = { runs: number; pushers: number; seconds: number; latencyPushes: number };
export type Setup = 'SQLite, one node' | 'PostgreSQL, one node' | 'PostgreSQL, two nodes';
type Nodes = { setup: Setup; nodes: ServerProcess[]; keyFile: string };

const SETUPS: Setup[] = ['SQLite, one node', 'PostgreSQL, one node', 'PostgreSQL, two nodes'];
const BASELINE: Setup = 'SQLite, one node';
const SIZES = {
  quick: { runs: 1, pushers: 10, seconds: 0.5, latencyPushes: 20 },
  full: { runs: 3, pushers: 50, seconds: 4, latencyPushes: 200 },
};
const LIMITS = 'production rate limits, a refused push waits its Retry-After';

let drafts = 0;
const draftId = () => `b0000000-0000-4000-8000-${(drafts += 1).toString(16).padStart(12, '0')}`;

/**
 * Device `n` of a run, one of ten shoppers' (n % 10): it streams from one
 * node and pushes through the next, which with two nodes is the other one.
 */
function device(nodes: readonly ServerProcess[], keyFile: string, n: number, prefix: string): LightDevice {
  const name = `bluebottle:users:be000000-0000-4000-8000-${(n % 10).toString(16).padStart(12, '0')}:${prefix}-${n}`;
  const stream = nodes[n % nodes.length] as ServerProcess;
  const push = nodes[(n + 1) % nodes.length] as ServerProcess;
  return new LightDevice({
    name,
    token: signBlessing(loadServerKey(keyFile), { name, ttlSeconds: 3600 }),
    streamUrl: stream.url,
    pushUrl: push.url,
  });
}

/** Every pusher sends new drafts, one after another, all pushers at once, for `seconds`; pushes acknowledged per second. */
export async function pushesPerSecond(nodes: readonly ServerProcess[], keyFile: string, size: Size, run: number): Promise<number> {
  const devices = Array.from({ length: size.pushers }, (_, n) => device(nodes, keyFile, n, `push-${run}`));
  const started = performance.now();
  const deadline = started + size.seconds * 1000;
  let acknowledged = 0;
  await Promise.all(
    devices.map(async (device) => {
      while (performance.now() < deadline) {
        await device.pushDraft(draftId());
        acknowledged += 1;
      }
    }),
  );
  return acknowledged / ((performance.now() - started) / 1000);
}

/** One device pushes drafts one at a time; each is timed from the push until it arrives on another device's stream. */
async function streamLatencies(nodes: readonly ServerProcess[], keyFile: string, size: Size, run: number): Promise<number[]> {
  // Devices 0 and 10 are one shopper's: the listener streams from node 1, the writer pushes through node 2 when there are two.
  const writer = device(nodes, keyFile, 0, `latency-${run}`);
  const listener = device(nodes, keyFile, 10, `latency-${run}`);
  await listener.listen();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < size.latencyPushes; i += 1) {
      const id = draftId();
      const sent = await writer.pushDraft(id);
      // Polled on a timer, not spun on: the servers share the machine's two cores with this process.
      while (!listener.arrived.has(id)) await sleep(1);
      latencies.push((listener.arrived.get(id) ?? NaN) - sent);
    }
  } finally {
    listener.close();
  }
  return latencies;
}

/** The server nodes of `setup`, each node process started with `nodeArgs` (a profiler's, say). */
export async function startNodes(setup: Setup, dir: string, databaseUrl: string | undefined, nodeArgs: string[] = []): Promise<Nodes> {
  const keyFile = join(dir, 'server-key.pem');
  if (setup === BASELINE)
    return { setup, nodes: [await startServerProcess(join(dir, 'sqlite'), undefined, ['--key-file', keyFile], nodeArgs)], keyFile };
  const args = ['--store', databaseUrl as string, '--key-file', keyFile];
  const count = setup === 'PostgreSQL, two nodes' ? 2 : 1;
  const nodes = await Promise.all(
    Array.from({ length: count }, (_, n) => startServerProcess(join(dir, `node-${n + 1}`), undefined, args, nodeArgs)),
  );
  return { setup, nodes, keyFile };
}

/** Three figures per setup, each compared with SQLite's; SQLite's first row states the settings, or every setup's why it was not measured. */
function setupFigures(
  size: Size,
  values: (setup: Setup) => { pushes: number[]; p50: number[]; p99: number[] },
  note: { settings: string } | { missing: string },
): Figures {
  const pushLabel = `pushes/s, ${size.pushers} devices pushing new drafts`;
  const against = (setup: Setup, name: string) => (setup === BASELINE ? {} : { baseline: `${name}: ${BASELINE}` });
  const stated = (setup: Setup) =>
    'missing' in note ? { durability: `not measured: ${note.missing}` } : setup === BASELINE ? { durability: note.settings } : {};
  return SETUPS.flatMap((setup) => [
    { name: `${pushLabel}: ${setup}`, unit: '/s', values: values(setup).pushes, ...against(setup, pushLabel), ...stated(setup) },
    { name: `push → stream p50: ${setup}`, unit: 'ms', values: values(setup).p50, ...against(setup, 'push → stream p50') },
    { name: `push → stream p99: ${setup}`, unit: 'ms', values: values(setup).p99, ...against(setup, 'push → stream p99') },
  ]);
}

/** The fsync and synchronous_commit settings of the server at `url`, as the table states them. */
async function durabilityOf(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const setting = async (name: string) => ((await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0] ?? {})[name];
    return `fsync ${await setting('fsync')}, synchronous_commit ${await setting('synchronous_commit')}`;
  } finally {
    await client.end();
  }
}

/** PostgreSQL and the settings to state, or why there is none: the figures then say so instead of failing the run. */
async function postgresOrReason(): Promise<{ postgres: TestPostgres; settings: string } | string> {
  try {
    const durable = await startDurablePostgres();
    const postgres = durable ?? (postgresMissing() === undefined ? await startTestPostgres() : undefined);
    if (!postgres) return postgresMissing() ?? 'no PostgreSQL';
    const where = durable ? 'a throwaway cluster' : 'the server POUROVER_TEST_PG_URL names';
    return { postgres, settings: `SQLite: fsync per commit; PostgreSQL: ${where}, ${await durabilityOf(postgres.url)}; ${LIMITS}` };
  } catch (error) {
    return `PostgreSQL did not start: ${(error as Error).message.split('\n')[0]}`;
  }
}

export async function postgresFigures(options: { quick: boolean; step: (s: string) => void }): Promise<Figures> {
  const size = options.quick ? SIZES.quick : SIZES.full;
  options.step('PostgreSQL figures: starting PostgreSQL and the servers');
  const found = await postgresOrReason();
  if (typeof found === 'string') return setupFigures(size, () => ({ pushes: [], p50: [], p99: [] }), { missing: found });
  const { postgres, settings } = found;
  const measured = new Map(SETUPS.map((setup) => [setup, { pushes: [] as number[], p50: [] as number[], p99: [] as number[] }]));
  const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-pg-'));
  const databases: { drop(): Promise<void> }[] = [];
  const running: Nodes[] = [];
  try {
    for (const setup of SETUPS) {
      const database = setup === BASELINE ? undefined : await postgres.createDatabase();
      if (database) databases.push(database);
      running.push(await startNodes(setup, join(dir, setup.replace(/\W+/g, '-')), database?.url));
    }
    // Every setup runs at once (idle but for its turn), so that runs interleave; the warm-up run is smaller and not counted.
    for (let run = 0; run <= size.runs; run += 1) {
      const warmup = run === 0;
      const sized = warmup ? { ...size, seconds: Math.min(1, size.seconds), latencyPushes: 10 } : size;
      for (const { setup, nodes, keyFile } of running) {
        options.step(`${setup}: run ${run}/${size.runs}${warmup ? ' (warm-up)' : ''}`);
        const perSecond = await pushesPerSecond(nodes, keyFile, sized, run);
        const latencies = await streamLatencies(nodes, keyFile, sized, run);
        if (warmup) continue;
        const figures = measured.get(setup);
        figures?.pushes.push(perSecond);
        figures?.p50.push(percentile(latencies, 50));
        figures?.p99.push(percentile(latencies, 99));
      }
    }
  } finally {
    await Promise.all(running.flatMap(({ nodes }) => nodes.map((node) => node.stop())));
    for (const database of databases) await database.drop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return setupFigures(size, (setup) => measured.get(setup) ?? { pushes: [], p50: [], p99: [] }, { settings });
}
