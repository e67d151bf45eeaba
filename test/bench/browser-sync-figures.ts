import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaVersions, type Order } from '@pourover/schemas';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../e2e/browser.ts';
import { fitToSchema, pastReleases } from '../e2e/old-devices.ts';
import type { BenchContext } from './context.ts';
import { makeOrders } from './orders.ts';
import type { BenchPage } from './page/bench-page.ts';
import { RemotePouch } from './pouch.ts';
import { percentiles, type Samples } from './stats.ts';

type Step = (s: string) => void;
type Figures = (Samples & { baseline?: string })[];

const DURABILITY = 'devices: IndexedDB; Pourover: SQLite, fsync per commit; PouchDB: express-pouchdb in memory';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
/** The kinds of draft edit alternate in this many rounds. */
const EDIT_ROUNDS = 4;
/** The orders a shopper's device holds in the draft-edit figure with a history. */
const HISTORY = 1_000;
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
function inPage<K extends keyof BenchPage>(
  page: Page,
  name: K,
  ...args: Parameters<BenchPage[K]>
): Promise<Awaited<ReturnType<BenchPage[K]>>> {
  return page.evaluate(
    ([fn, list]) => (window as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[fn]?.(...list) as never,
    [name, args] as const,
  );
}

/**
 * In Chromium with real IndexedDB: a fresh device's initial sync and an
 * online device's push of `count` orders, next to a raw Dexie `bulkPut` of the
 * same documents in the same page (the floor), RxDB's own `bulkInsert` of them
 * on the same storage, and PouchDB (IndexedDB adapter) replicating
 * with express-pouchdb; runs interleaved. Then a device holding `count`
 * orders migrating (`migrationFigures`) and draft-edit latency through the order API
 * (`draftEditFigures`).
 */
export async function chromiumSyncFigures(
  ctx: BenchContext,
  pouchUrl: string,
  options: { count: number; runs: number; edits: number; step: Step },
): Promise<Figures> {
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
    // Seeded once, and the same drafts every run: each run syncs and pushes them into fresh databases. The
    // warm-up takes a tenth of them, which runs every code path and warms IndexedDB as well as all of them would.
    const tenth = Math.ceil(options.count / 10);
    options.step(`Chromium: seeding both servers with ${options.count} orders`);
    const seeds = {
      warmup: await seedOrders(ctx, pouchUrl, { count: tenth, n: 0 }),
      measured: await seedOrders(ctx, pouchUrl, { count: options.count, n: 1 }),
    };
    const allDrafts = makeOrders(options.count, ctx.catalog, 'draft', 600);
    const sync = sideBySideRuns();
    const push = sideBySideRuns();
    for (let run = 0; run <= options.runs; run += 1) {
      const warmup = run === 0;
      const label = `Chromium, run ${run}/${options.runs}${warmup ? ' (warm-up)' : ''}`;
      const seed = warmup ? seeds.warmup : seeds.measured;
      options.step(`${label}: initial sync of ${seed.orders.length} orders`);
      const syncMs = await inPage(ours, 'initialSync', seed.token, fresh('initial'));
      const syncFloor = await inPage(ours, 'dexieBulkPut', fresh('floor'), seed.orders);
      const syncRxdb = await inPage(ours, 'rxdbBulkInsert', fresh('rxdb'), seed.orders);
      const syncPouch = await inPage(pouch, 'pouchPull', seed.remote, fresh('pouch'));
      const syncPouchTuned = await inPage(pouch, 'pouchPull', seed.remote, fresh('pouch-tuned'), POUCH_TUNED_BATCH);

      const drafts = warmup ? allDrafts.slice(0, tenth) : allDrafts;
      options.step(`${label}: push of ${drafts.length} changes`);
      const pushMs = await inPage(ours, 'push', ctx.shopper(7_000 + run).token, fresh('push'), drafts);
      const pushFloor = await inPage(ours, 'dexieBulkPut', fresh('floor'), drafts);
      const pushRxdb = await inPage(ours, 'rxdbBulkInsert', fresh('rxdb'), drafts);
      const pushPouch = await pouchPushInto(pouch, pouchUrl, `chromium-push-${run}`, drafts);
      const pushPouchTuned = await pouchPushInto(pouch, pouchUrl, `chromium-push-tuned-${run}`, drafts, POUCH_TUNED_BATCH);
      if (warmup) continue;
      sync.ours.push(syncMs);
      sync.floor.push(syncFloor);
      sync.rxdb.push(syncRxdb);
      sync.pouch.push(syncPouch);
      sync.pouchTuned.push(syncPouchTuned);
      push.ours.push(pushMs);
      push.floor.push(pushFloor);
      push.rxdb.push(pushRxdb);
      push.pouch.push(pushPouch);
      push.pouchTuned.push(pushPouchTuned);
    }
    await Promise.all([seeds.warmup, seeds.measured].map(({ remote }) => new RemotePouch(`${pouchUrl}/${remote}`).destroy()));
    const migration = await migrationFigures(ctx, ours, options);
    const edits = await draftEditFigures(ctx, ours, options);
    await context.close();
    return [
      ...sideBySide(`initial sync, ${options.count} orders (Chromium)`, sync, 'PouchDB replicate'),
      ...migration,
      ...sideBySide(`push, ${options.count} changes (Chromium)`, push, 'PouchDB bulkDocs + replicate'),
      ...edits,
    ];
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A device the newest release with older order schemas left, holding
 * `count` received orders (the fixture corpus's page writer stores them),
 * opened by the current app until every order is migrated; next to a fresh
 * device's initial sync of the same orders from the server, interleaved.
 * The page writes the orders in one bulk write, so they share one write
 * time: the case where RxDB's migration reads slowest (docs/benchmarks.md).
 */
async function migrationFigures(ctx: BenchContext, page: Page, options: { count: number; runs: number; step: Step }): Promise<Figures> {
  const release = pastReleases()
    .filter(({ past }) => past.includes('processedOrders'))
    .at(-1);
  const migrate = `migrate a device holding ${options.count} orders (Chromium)`;
  const sync = `fresh initial sync of the same ${options.count} orders (Chromium)`;
  if (!release) {
    const why = 'not measured: every release fixture holds orders at the current schema version';
    return [
      { name: migrate, unit: 'ms', values: [], durability: why },
      { name: sync, unit: 'ms', values: [], durability: why },
    ];
  }
  const seeds = [Math.ceil(options.count / 10), options.count].map((count, n) => {
    const shopper = ctx.shopper(6_100 + n);
    const orders = makeOrders(count, ctx.catalog, 'received', 900 + n);
    return {
      shopper,
      orders,
      held: orders.map((order) => ({ ...(fitToSchema(order, release.schemas.processedOrders) as Order), _deleted: false })),
    };
  });
  for (const { shopper, orders } of seeds) await ctx.receive(shopper.replica, orders);
  const times = { migrate: [] as number[], sync: [] as number[] };
  for (let run = 0; run <= options.runs; run += 1) {
    const { shopper, held } = seeds[run === 0 ? 0 : 1]!;
    options.step(
      `Chromium, migration run ${run}/${options.runs}${run === 0 ? ' (warm-up)' : ''}: ${held.length} orders of ${release.file}`,
    );
    const sides = [
      async () => (run === 0 ? undefined : times.sync.push(await inPage(page, 'initialSync', shopper.token, fresh('fresh')))),
      async () => {
        const ms = await inPage(page, 'migrate', shopper.token, fresh('migrate'), release.schemas, held);
        if (run > 0) times.migrate.push(ms);
      },
    ];
    for (const side of run % 2 === 0 ? sides : sides.reverse()) await side();
  }
  const versions = `${release.file}: orders at schema version ${release.schemas.processedOrders.version}, migrated to ${schemaVersions.processedOrders}`;
  return [
    {
      name: migrate,
      unit: 'ms',
      values: times.migrate,
      baseline: sync,
      durability: `devices: IndexedDB; ${versions}; until the database is open`,
    },
    { name: sync, unit: 'ms', values: times.sync },
  ];
}

/**
 * Draft edits through the order API in alternating rounds (A B C, then
 * C B A): online, online on a device holding `HISTORY` orders of its
 * shopper's, and offline; each round also times a Dexie `put` of the draft
 * and RxDB's own write of it in a bare collection.
 */
async function draftEditFigures(ctx: BenchContext, page: Page, options: { edits: number; step: Step }): Promise<Figures> {
  const item = ctx.catalog[0]?.id ?? '';
  const history = ctx.shopper(8_100);
  await ctx.receive(history.replica, makeOrders(HISTORY, ctx.catalog, 'received', 800));
  const edits = { committed: [] as number[], shown: [] as number[], put: [] as number[], rxdb: [] as number[] };
  const withHistory: number[] = [];
  const offline: number[] = [];
  const perRound = Math.ceil(options.edits / EDIT_ROUNDS);
  for (let round = 0; round < EDIT_ROUNDS; round += 1) {
    options.step(
      `Chromium: draft edits, round ${round + 1}/${EDIT_ROUNDS}: ${perRound} online, ${perRound} with ${HISTORY} orders, ${perRound} offline`,
    );
    const sides = [
      async () => {
        const on = await inPage(page, 'draftEdits', ctx.shopper(8_000 + 2 * round).token, fresh('edits'), item, perRound);
        for (const key of ['committed', 'shown', 'put', 'rxdb'] as const) edits[key].push(...on[key]);
      },
      async () => withHistory.push(...(await inPage(page, 'draftEdits', history.token, fresh('history-edits'), item, perRound)).committed),
      async () =>
        offline.push(
          ...(await inPage(page, 'offlineDraftEdits', ctx.shopper(8_001 + 2 * round).token, fresh('offline-edits'), item, perRound)),
        ),
    ];
    // Whatever the page or the machine still does from the runs before weighs on every side alike.
    for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
  }
  return [
    ...percentiles('draft edit until committed to IndexedDB (Chromium)', edits.committed, 'draft edit: Dexie put (Chromium)'),
    ...percentiles('draft edit until the order API shows it (Chromium)', edits.shown, 'draft edit: Dexie put (Chromium)'),
    ...percentiles(
      `draft edit with ${HISTORY} orders on the device, until committed (Chromium)`,
      withHistory,
      'draft edit until committed to IndexedDB (Chromium)',
    ),
    ...percentiles('draft edit offline, until committed to IndexedDB (Chromium)', offline, 'draft edit: Dexie put (Chromium)'),
    ...percentiles('draft edit: Dexie put (Chromium)', edits.put),
    ...percentiles('draft edit: RxDB incrementalModify, bare collection (Chromium)', edits.rxdb, 'draft edit: Dexie put (Chromium)'),
  ];
}

/** Puts `count` received orders in shopper `n`'s replica and in a fresh express-pouchdb database: the device's token, the database's name, the orders. */
async function seedOrders(
  ctx: BenchContext,
  pouchUrl: string,
  options: { count: number; n: number },
): Promise<{ token: string; remote: string; orders: Order[] }> {
  const orders = makeOrders(options.count, ctx.catalog, 'received', 500 + options.n);
  const { replica, token } = ctx.shopper(6_000 + options.n);
  await ctx.receive(replica, orders);
  const remote = `chromium-initial-${options.n}`;
  await new RemotePouch(`${pouchUrl}/${remote}`).bulkDocs(orders.map(({ id, ...order }) => ({ _id: id, ...order })));
  return { token, remote, orders };
}

/** PouchDB's `batch_size` as its documentation advises raising it for a large replication; its default is 100. */
const POUCH_TUNED_BATCH = 1_000;

type SideBySideRuns = { ours: number[]; floor: number[]; rxdb: number[]; pouch: number[]; pouchTuned: number[] };
const sideBySideRuns = (): SideBySideRuns => ({ ours: [], floor: [], rxdb: [], pouch: [], pouchTuned: [] });

/** PouchDB's push of `drafts` from the page into a new, empty express-pouchdb database, dropped after. */
async function pouchPushInto(page: Page, pouchUrl: string, name: string, drafts: Order[], batchSize?: number): Promise<number> {
  const remote = new RemotePouch(`${pouchUrl}/${name}`);
  await remote.info();
  const ms = await inPage(page, 'pouchPush', name, fresh('pouch-push'), drafts, batchSize);
  await remote.destroy();
  return ms;
}

/** Pourover and RxDB's own insert against the Dexie floor; PouchDB, at its default and tuned, against Pourover (above 1: Pourover is faster). */
function sideBySide(label: string, values: SideBySideRuns, pouchName: string): Figures {
  return [
    { name: `${label}: Pourover`, unit: 'ms', values: values.ours, baseline: `${label}: Dexie bulkPut (floor)`, durability: DURABILITY },
    { name: `${label}: Dexie bulkPut (floor)`, unit: 'ms', values: values.floor },
    { name: `${label}: RxDB bulkInsert`, unit: 'ms', values: values.rxdb, baseline: `${label}: Dexie bulkPut (floor)` },
    {
      name: `${label}: ${pouchName}`,
      unit: 'ms',
      values: values.pouch,
      baseline: `${label}: Pourover`,
      durability: 'PouchDB: batch_size 100 (its default)',
    },
    {
      name: `${label}: ${pouchName}, batch_size ${POUCH_TUNED_BATCH}`,
      unit: 'ms',
      values: values.pouchTuned,
      baseline: `${label}: Pourover`,
      durability: `PouchDB: batch_size ${POUCH_TUNED_BATCH}, as its documentation advises for large replications`,
    },
  ];
}
