/**
 * `npm run bench [-- --quick]`: every benchmark, one table, and the same
 * figures in bench-results.json (or the file `--json <file>` names). Times
 * are medians of several runs after a warm-up, compared with baselines
 * measured in the same run, interleaved.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startServerProcess } from '../support/server-process.ts';
import { benchContext } from './context.ts';
import { progress } from './progress.ts';
import { startPouchServer } from './pouch.ts';
import { figuresOf, table, type Samples } from './stats.ts';
import { buildShop, shopDist } from '../e2e/browser.ts';
import { attackFigures } from './attack-figures.ts';
import { browserFigures } from './browser-figures.ts';
import { chromiumSyncFigures } from './browser-sync-figures.ts';
import { capacityFigures } from './capacity-figures.ts';
import { faultFigures } from './fault-figures.ts';
import { fulfilmentFigures } from './fulfilment-figures.ts';
import { orderFigures, processorFigures } from './order-figures.ts';
import { postgresFigures } from './postgres-figures.ts';
import { initialSync, propagation, pushThroughput } from './sync-figures.ts';

const GROUPS = ['sync', 'orders', 'processor', 'fulfilment', 'browser', 'chromium', 'capacity', 'postgres', 'attack'] as const;
const parsed = z
  .object({
    quick: z.boolean().default(false),
    /** `--only sync,capacity`: just those groups. */
    only: z
      .string()
      .transform((list) => list.split(','))
      .pipe(z.array(z.enum(GROUPS)))
      .optional(),
    /** `--json <file>`: where the figures go, instead of bench-results.json at the repository's root. */
    json: z.string().min(1).optional(),
  })
  .strict()
  .safeParse(
    parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, json: { type: 'string' } }, strict: true }).values,
  );
if (!parsed.success) {
  process.stderr.write(`bench: ${z.prettifyError(parsed.error)}\n`);
  process.exit(2);
}
const args = parsed.data;
// --quick leaves out the shop's own figures unless asked: building the shop alone takes a tenth of its budget.
const groups: readonly string[] = args.only ?? GROUPS.filter((group) => !(args.quick && group === 'browser'));
type Group = (typeof GROUPS)[number];
const wanted = (group: Group) => groups.includes(group);

// Budgets on a quiet 2-core machine: the full run about 20 minutes, --quick (CI's smoke run) under 2.
const size = args.quick
  ? {
      orders: 500,
      syncRuns: 2,
      pushRuns: 2,
      writes: 30,
      streams: 100,
      places: 50,
      queued: 100,
      processorRuns: 1,
      received: 5,
      fulfilment: { samples: 3, orders: 40, parallel: 4 },
      reloads: 2,
      open: [200],
      pushers: 50,
      pushSeconds: 1,
      capacityRuns: 1,
      chromiumRuns: 1,
    }
  : {
      orders: 10_000,
      syncRuns: 5,
      pushRuns: 3,
      writes: 500,
      streams: 1_000,
      places: 1_000,
      queued: 1_000,
      processorRuns: 3,
      received: 100,
      fulfilment: { samples: 25, orders: 500, parallel: 8 },
      reloads: 10,
      open: [1_000, 10_000],
      pushers: 200,
      pushSeconds: 5,
      capacityRuns: 3,
      chromiumRuns: 2,
    };
const attackSize = args.quick
  ? { devices: 20, signIns: 100, guesses: 1_000, attackers: 5, seconds: 2, runs: 1 }
  : { devices: 50, signIns: 500, guesses: 10_000, attackers: 5, seconds: 4, runs: 3 };

const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-'));
const step = progress(args.quick ? 'bench --quick' : 'bench');
// Only the offline-reload figures load the shop; the Chromium sync figures build a page of their own.
if (wanted('browser')) {
  step('building the shop');
  buildShop();
}
const server = await startServerProcess(dir, undefined, wanted('browser') ? ['--static', shopDist] : []);
const pouch = await startPouchServer();
type Figures = (Samples & { baseline?: string })[];
const samples: Figures = [];
const failures: string[] = [];

/** A measure's figures; when it fails, one row that says so, and the run goes on to the next (it exits 1 at the end). */
async function measured(name: string, measure: () => Promise<Figures>): Promise<Figures> {
  try {
    return await measure();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    failures.push(`${name}: ${reason}`);
    step(`${name} failed (${reason}); going on`);
    return [{ name: `${name} figures`, unit: '', values: [], durability: `not measured: ${reason}` }];
  }
}
try {
  const ctx = await benchContext(server);
  const measures: [Group, string, () => Promise<Figures>][] = [
    ['sync', 'initial sync', () => initialSync(ctx, pouch.url, { count: size.orders, runs: size.syncRuns, step })],
    ['sync', 'push', () => pushThroughput(ctx, pouch.url, { count: size.orders, runs: size.pushRuns, step })],
    ['sync', 'propagation', () => propagation(ctx, pouch.url, { writes: size.writes, others: 0, step })],
    ['sync', 'propagation with other streams', () => propagation(ctx, pouch.url, { writes: size.writes, others: size.streams, step })],
    ['orders', 'orders', () => orderFigures(ctx, { edits: size.writes, places: size.places, step })],
    [
      'processor',
      'processor',
      () => processorFigures(ctx, { count: size.queued, runs: size.processorRuns, latencySamples: size.received, step }),
    ],
    ['fulfilment', 'fulfilment', () => fulfilmentFigures(ctx, { ...size.fulfilment, step })],
    ['browser', 'browser', () => browserFigures(ctx, { reloads: size.reloads, step })],
    [
      'chromium',
      'Chromium',
      () =>
        chromiumSyncFigures(ctx, pouch.url, {
          count: size.orders,
          runs: size.chromiumRuns,
          edits: size.writes,
          step,
        }),
    ],
    [
      'capacity',
      'capacity',
      () => capacityFigures({ streams: size.open, devices: size.pushers, seconds: size.pushSeconds, runs: size.capacityRuns, step }),
    ],
    ['postgres', 'PostgreSQL', () => postgresFigures({ quick: args.quick, step })],
    ['attack', 'attack', () => attackFigures({ ...attackSize, step })],
    ['postgres', 'faults', () => faultFigures({ quick: args.quick, step })],
  ];
  for (const [group, name, measure] of measures) if (wanted(group)) samples.push(...(await measured(name, measure)));
} finally {
  await pouch.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
step('done\n');
const figures = figuresOf(samples);
const left = GROUPS.filter((group) => !wanted(group));
process.stdout.write(
  `\nNode ${process.version}, devices on fake-indexeddb, servers on 127.0.0.1${args.quick ? ' (quick run)' : ''}\n\n${table(figures)}\n`,
);
if (left.length)
  process.stdout.write(`\nLeft out: ${left.join(', ')} (npm run bench -- --only ${left.join(',')}${args.quick ? ' --quick' : ''})\n`);
writeFileSync(args.json ?? fileURLToPath(new URL('../../bench-results.json', import.meta.url)), `${JSON.stringify(figures, null, 2)}\n`);
if (failures.length)
  process.stderr.write(`\nbench: ${failures.length} measure(s) failed:\n${failures.map((line) => `  ${line}`).join('\n')}\n`);
process.exit(failures.length ? 1 : 0);
