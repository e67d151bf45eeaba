/**
 * `npm run bench [-- --quick]`: every benchmark, one table, and the same
 * figures in bench-results.json. Times are medians of several runs after a
 * warm-up, compared with baselines measured in the same run, interleaved.
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
import { browserFigures } from './browser-figures.ts';
import { orderFigures, processorFigures } from './order-figures.ts';
import { initialSync, propagation, pushThroughput } from './sync-figures.ts';

const args = z
  .object({ quick: z.boolean().default(false) })
  .strict()
  .parse(parseArgs({ options: { quick: { type: 'boolean' } }, strict: true }).values);

const size = args.quick
  ? { orders: 1_000, runs: 2, writes: 50, streams: 100, places: 100, queued: 200, received: 10, reloads: 3 }
  : { orders: 10_000, runs: 5, writes: 500, streams: 1_000, places: 1_000, queued: 1_000, received: 100, reloads: 10 };

const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-'));
const step = progress(args.quick ? 'bench --quick' : 'bench');
step('building the shop');
buildShop();
const server = await startServerProcess(dir, undefined, ['--static', shopDist]);
const pouch = await startPouchServer();
const samples: (Samples & { baseline?: string })[] = [];
try {
  const ctx = await benchContext(server);
  samples.push(...(await initialSync(ctx, pouch.url, { count: size.orders, runs: size.runs, step })));
  samples.push(...(await pushThroughput(ctx, pouch.url, { count: size.orders, runs: size.runs, step })));
  samples.push(...(await propagation(ctx, pouch.url, { writes: size.writes, others: 0, step })));
  samples.push(...(await propagation(ctx, pouch.url, { writes: size.writes, others: size.streams, step })));
  samples.push(...(await orderFigures(ctx, { edits: size.writes, places: size.places, step })));
  samples.push(...(await processorFigures(ctx, { count: size.queued, latencySamples: size.received, step })));
  samples.push(...(await browserFigures(ctx, { reloads: size.reloads, step })));
} finally {
  await pouch.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
step('done\n');
const figures = figuresOf(samples);
process.stdout.write(`\nNode ${process.version}, devices on fake-indexeddb, servers on 127.0.0.1${args.quick ? ' (quick run)' : ''}\n\n${table(figures)}\n`);
writeFileSync(fileURLToPath(new URL('../../bench-results.json', import.meta.url)), `${JSON.stringify(figures, null, 2)}\n`);
process.exit(0);
