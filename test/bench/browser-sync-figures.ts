import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Order } from '@pourover/schemas';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../e2e/browser.ts';
import type { BenchContext } from './context.ts';
import { makeOrders } from './orders.ts';
import type { BenchPage } from './page/bench-page.ts';
import { RemotePouch } from './pouch.ts';
import { percentiles, type Samples } from './stats.ts';

type Step = (s: string) => void;
type Figures = (Samples & { baseline?: string })[];

const DURABILITY = 'devices: IndexedDB; Pourover: SQLite, fsync per commit; PouchDB: express-pouchdb in memory';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
let unique = 0;
const fresh = (prefix: string) => `${prefix}-${++unique}`;

/** Builds the benchmark page (test/bench/page) with Vite into a temporary folder. */
async function buildBenchPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'pourover-bench-page-'));
  await build({
    configFile: false,
    logLevel: 'error',
    root: fileURLToPath(new URL('./page', import.meta.url)),
    base: '/__bench/',
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  return outDir;
}

/** Opens the benchmark page on `origin` (the context's route serves it; that server never sees the request). */
async function benchPage(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/__bench/index.html`);
  await page.waitForFunction(() => 'bench' in window);
  return page;
}

/** Calls one of the page's benchmark functions with `args` (which cross into the page as JSON). */
function inPage<K extends keyof BenchPage>(page: Page, name: K, ...args: Parameters<BenchPage[K]>): Promise<Awaited<ReturnType<BenchPage[K]>>> {
  return page.evaluate(
    ([fn, list]) => ((window as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[fn]?.(...list)) as never,
    [name, args] as const,
  );
}

/**
 * In Chromium with real IndexedDB: a fresh device's initial sync and an
 * online device's push of `count` orders, next to a raw Dexie `bulkPut` of the
 * same documents in the same page and PouchDB (IndexedDB adapter) replicating
 * with express-pouchdb; runs interleaved. Then draft-edit latency through the
 * order API, next to a single Dexie `put`.
 */
export async function chromiumSyncFigures(ctx: BenchContext, pouchUrl: string, options: { count: number; runs: number; edits: number; step: Step }): Promise<Figures> {
  const dir = await buildBenchPage();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    await context.route(/\/__bench\//, (route) => {
      const file = join(dir, new URL(route.request().url()).pathname.replace(/^\/__bench\//, ''));
      return route.fulfill({ body: readFileSync(file), contentType: TYPES[extname(file)] ?? 'application/octet-stream' });
    });
    const ours = await benchPage(context, ctx.server.url);
    const pouch = await benchPage(context, pouchUrl);
    const sync = { ours: [] as number[], floor: [] as number[], pouch: [] as number[] };
    const push = { ours: [] as number[], floor: [] as number[], pouch: [] as number[] };
    for (let run = 0; run <= options.runs; run += 1) {
      const label = `Chromium, run ${run}/${options.runs}${run === 0 ? ' (warm-up)' : ''}`;
      // A tenth of the documents warm up every code path and the IndexedDB databases as well as all of them would.
      const count = run === 0 ? Math.ceil(options.count / 10) : options.count;
      options.step(`${label}: initial sync of ${count} orders`);
      const orders = await seedOrders(ctx, pouchUrl, { count, run });
      const syncMs = await inPage(ours, 'initialSync', ctx.shopper(6_000 + run).token, fresh('initial'));
      const syncFloor = await inPage(ours, 'dexieBulkPut', fresh('floor'), orders);
      const syncPouch = await inPage(pouch, 'pouchPull', `chromium-initial-${run}`, fresh('pouch'));
      await new RemotePouch(`${pouchUrl}/chromium-initial-${run}`).destroy();

      options.step(`${label}: push of ${count} changes`);
      const drafts = makeOrders(count, ctx.catalog, 'draft', 600 + run);
      const pushMs = await inPage(ours, 'push', ctx.shopper(7_000 + run).token, fresh('push'), drafts);
      const pushFloor = await inPage(ours, 'dexieBulkPut', fresh('floor'), drafts);
      const remote = new RemotePouch(`${pouchUrl}/chromium-push-${run}`);
      await remote.info();
      const pushPouch = await inPage(pouch, 'pouchPush', `chromium-push-${run}`, fresh('pouch-push'), drafts);
      await remote.destroy();
      if (run === 0) continue;
      sync.ours.push(syncMs);
      sync.floor.push(syncFloor);
      sync.pouch.push(syncPouch);
      push.ours.push(pushMs);
      push.floor.push(pushFloor);
      push.pouch.push(pushPouch);
    }
    options.step(`Chromium: ${options.edits} draft edits`);
    const edits = await inPage(ours, 'draftEdits', ctx.shopper(8_000).token, fresh('edits'), ctx.catalog[0]?.id ?? '', options.edits);
    await context.close();
    return [
      ...sideBySide(`initial sync, ${options.count} orders (Chromium)`, sync, 'PouchDB replicate'),
      ...sideBySide(`push, ${options.count} changes (Chromium)`, push, 'PouchDB bulkDocs + replicate'),
      ...percentiles('draft edit until committed to IndexedDB (Chromium)', edits.committed, 'draft edit: Dexie put (Chromium)'),
      ...percentiles('draft edit until the order API shows it (Chromium)', edits.shown, 'draft edit: Dexie put (Chromium)'),
      ...percentiles('draft edit: Dexie put (Chromium)', edits.put),
    ];
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Puts `count` received orders in a fresh shopper's replica and in a fresh express-pouchdb database; returns them. */
async function seedOrders(ctx: BenchContext, pouchUrl: string, options: { count: number; run: number }): Promise<Order[]> {
  const orders = makeOrders(options.count, ctx.catalog, 'received', 500 + options.run);
  const { replica } = ctx.shopper(6_000 + options.run);
  // Batches of 400 realistic orders stay under the server's 1 MiB body limit.
  for (let start = 0; start < orders.length; start += 400) {
    const operations = orders.slice(start, start + 400).map((order) => ({ collection: 'processedOrders' as const, write: { ...order, _deleted: false } }));
    await ctx.store.sync.batch.mutate({ replica, operations });
  }
  await new RemotePouch(`${pouchUrl}/chromium-initial-${options.run}`).bulkDocs(orders.map(({ id, ...order }) => ({ _id: id, ...order })));
  return orders;
}

/** Pourover against the Dexie floor; PouchDB against Pourover (above 1: Pourover is faster). */
function sideBySide(label: string, values: { ours: number[]; floor: number[]; pouch: number[] }, pouchName: string): Figures {
  return [
    { name: `${label}: Pourover`, unit: 'ms', values: values.ours, baseline: `${label}: Dexie bulkPut (floor)`, durability: DURABILITY },
    { name: `${label}: Dexie bulkPut (floor)`, unit: 'ms', values: values.floor },
    { name: `${label}: ${pouchName}`, unit: 'ms', values: values.pouch, baseline: `${label}: Pourover` },
  ];
}

