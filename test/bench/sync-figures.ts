import { rxSchemaOf, type Order } from '@pourover/schemas';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { addRxPlugin, createRxDatabase } from 'rxdb/plugins/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { filter, firstValueFrom } from 'rxjs';
import type { BenchContext } from './context.ts';
import { loopbackAddress, openRawStreams } from './light-clients.ts';
import { makeOrders } from './orders.ts';
import { LocalPouch, RemotePouch } from './pouch.ts';
import { percentile, type Samples } from './stats.ts';

void addRxPlugin;
let unique = 0;
const fresh = (prefix: string) => `${prefix}-${process.pid}-${++unique}`;
const elapsed = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

const SERVER_DURABILITY = 'Pourover: SQLite, fsync per commit; PouchDB: express-pouchdb in memory';

/** The floor: the same documents written straight into the same storage (RxDB bulkInsert on Dexie over fake-indexeddb). */
async function bulkInsertFloor(orders: Order[]): Promise<number> {
  const db = await createRxDatabase({ name: fresh('floor'), storage: getRxStorageDexie({ indexedDB, IDBKeyRange }), multiInstance: false });
  await db.addCollections({ orders: { schema: { ...rxSchemaOf('processedOrders'), title: 'orders' } as never } });
  const ms = await elapsed(() => db.collections['orders']!.bulkInsert(orders));
  await db.remove();
  return ms;
}

/** The warm-up's share of the documents: a tenth runs every code path as all of them would. */
const warmupCount = (count: number) => Math.ceil(count / 10);

/** `count` received orders for shopper `n`, on the Pourover server and in an express-pouchdb database. */
async function seedBoth(ctx: BenchContext, pouchUrl: string, options: { count: number; n: number }) {
  const shopper = ctx.shopper(1_000 + options.n);
  const orders = makeOrders(options.count, ctx.catalog, 'received', options.n + 1);
  await ctx.receive(shopper.replica, orders);
  const remote = new RemotePouch(`${pouchUrl}/initial-${options.n}`);
  await remote.bulkDocs(orders.map(({ id, ...order }) => ({ _id: id, ...order })));
  return { shopper, orders, remote };
}

/** Figure 1: a fresh device pulls `count` orders until idle, next to the floor and PouchDB, runs interleaved. */
export async function initialSync(
  ctx: BenchContext,
  pouchUrl: string,
  options: { count: number; runs: number; step: (s: string) => void },
): Promise<(Samples & { baseline?: string })[]> {
  const label = `initial sync, ${options.count} orders`;
  options.step(`${label}: seeding both servers`);
  // Seeded once: every run syncs the same documents into fresh local databases.
  const seeds = {
    warmup: await seedBoth(ctx, pouchUrl, { count: warmupCount(options.count), n: 0 }),
    measured: await seedBoth(ctx, pouchUrl, { count: options.count, n: 1 }),
  };
  const ours: number[] = [];
  const floor: number[] = [];
  const pouch: number[] = [];
  for (let run = 0; run <= options.runs; run += 1) {
    const warmup = run === 0;
    options.step(`${label}: run ${run}/${options.runs}${warmup ? ' (warm-up)' : ''}`);
    const { shopper, orders, remote } = warmup ? seeds.warmup : seeds.measured;
    const device = await ctx.device(shopper.token, fresh('initial'));
    const ms = await elapsed(() => device.awaitInSync());
    await device.db.remove();
    await device.close().catch(() => {});
    const floorMs = await bulkInsertFloor(orders);

    const local = new LocalPouch(fresh('pouch'));
    const pouchMs = await elapsed(() => local.replicate.from(remote));
    await local.destroy();
    if (warmup) continue;
    ours.push(ms);
    floor.push(floorMs);
    pouch.push(pouchMs);
  }
  await Promise.all([seeds.warmup.remote.destroy(), seeds.measured.remote.destroy()]);
  return [
    { name: `${label}: Pourover`, unit: 'ms', values: ours, baseline: `${label}: RxDB bulkInsert (floor)`, durability: SERVER_DURABILITY },
    { name: `${label}: RxDB bulkInsert (floor)`, unit: 'ms', values: floor },
    { name: `${label}: PouchDB replicate`, unit: 'ms', values: pouch, baseline: `${label}: Pourover` },
  ];
}

/** Figure 2: one online device writes `count` changes; time until the server has them all. */
export async function pushThroughput(
  ctx: BenchContext,
  pouchUrl: string,
  options: { count: number; runs: number; step: (s: string) => void },
): Promise<(Samples & { baseline?: string })[]> {
  const label = `push, ${options.count} changes`;
  // The same drafts every run, each run to a fresh shopper and fresh databases on both sides.
  const all = makeOrders(options.count, ctx.catalog, 'draft', 100);
  const ours: number[] = [];
  const floor: number[] = [];
  const pouch: number[] = [];
  for (let run = 0; run <= options.runs; run += 1) {
    const warmup = run === 0;
    options.step(`${label}: run ${run}/${options.runs}${warmup ? ' (warm-up)' : ''}`);
    const shopper = ctx.shopper(2_000 + run);
    const drafts = warmup ? all.slice(0, warmupCount(options.count)) : all;
    const device = await ctx.device(shopper.token, fresh('push'));
    await device.awaitInSync();
    const ms = await elapsed(async () => {
      await device.collections.draftOrders.bulkInsert(drafts);
      await device.awaitInSync();
    });
    await device.db.remove();
    await device.close().catch(() => {});
    const floorMs = await bulkInsertFloor(drafts);

    const local = new LocalPouch(fresh('pouch-push'));
    const remote = new RemotePouch(`${pouchUrl}/push-${run}`);
    await remote.info();
    const pouchMs = await elapsed(async () => {
      await local.bulkDocs(drafts.map(({ id, ...draft }) => ({ _id: id, ...draft })));
      await local.replicate.to(remote);
    });
    await local.destroy();
    await remote.destroy();
    if (warmup) continue;
    ours.push(ms);
    floor.push(floorMs);
    pouch.push(pouchMs);
  }
  return [
    { name: `${label}: Pourover`, unit: 'ms', values: ours, baseline: `${label}: RxDB bulkInsert (floor)`, durability: SERVER_DURABILITY },
    { name: `${label}: RxDB bulkInsert (floor)`, unit: 'ms', values: floor },
    { name: `${label}: PouchDB bulkDocs + replicate`, unit: 'ms', values: pouch, baseline: `${label}: Pourover` },
  ];
}

/** Opens `count` light live streams (raw SSE clients) for other shoppers, as load on the server. */
async function openOtherStreams(ctx: BenchContext, count: number): Promise<() => void> {
  // Each from an address of its own, as real devices come: one address may hold only so many streams, and the
  // measured devices' own streams come from 127.0.0.1.
  const devices = Array.from({ length: count }, (_, n) => ({ token: ctx.shopper(100_000 + n).token, from: loopbackAddress(n, 3) }));
  const streams = await openRawStreams(ctx.server.url, devices);
  return () => streams.forEach((stream) => stream.close());
}

/** Figure 3: one write on device A until device B's query shows it, with `others` other live streams open. */
export async function propagation(
  ctx: BenchContext,
  pouchUrl: string,
  options: { writes: number; others: number; step: (s: string) => void },
): Promise<(Samples & { baseline?: string })[]> {
  const label = `propagation A→B, ${options.others} other streams`;
  if (options.others > 0) options.step(`${label}: opening the other streams`);
  const closeOthers = await openOtherStreams(ctx, options.others);
  const shopper = ctx.shopper(3_000 + options.others);
  const a = await ctx.device(shopper.token, fresh('prop-a'));
  const b = await ctx.device(shopper.token, fresh('prop-b'));
  await Promise.all([a.awaitInSync(), b.awaitInSync()]);
  const drafts = makeOrders(options.writes + 10, ctx.catalog, 'draft', 300 + options.others);
  const ours: number[] = [];
  for (const [i, draft] of drafts.entries()) {
    if (i % 25 === 0) options.step(`${label}: Pourover write ${i}/${drafts.length}`);
    const seen = firstValueFrom(b.collections.draftOrders.findOne(draft.id).$.pipe(filter((doc) => doc !== null)));
    const ms = await elapsed(async () => {
      await a.collections.draftOrders.insert(draft);
      await seen;
    });
    if (i >= 10) ours.push(ms);
  }
  await Promise.all([a.db.remove(), b.db.remove()]);
  await Promise.all([a.close(), b.close()]).catch(() => {});

  const remote = new RemotePouch(`${pouchUrl}/prop-${options.others}`);
  await remote.info();
  const pa = new LocalPouch(fresh('pouch-a'));
  const pb = new LocalPouch(fresh('pouch-b'));
  const push = pa.replicate.to(remote, { live: true, retry: true });
  const pull = pb.replicate.from(remote, { live: true, retry: true });
  const pouch: number[] = [];
  const waiting = new Map<string, () => void>();
  const feed = pb.changes({ live: true, since: 'now' });
  feed.on('change', (change) => waiting.get(change.id)?.());
  for (const [i, draft] of drafts.entries()) {
    if (i % 25 === 0) options.step(`${label}: PouchDB write ${i}/${drafts.length}`);
    const seen = new Promise<void>((resolve, reject) => {
      const stalled = setTimeout(
        () => reject(new Error(`PouchDB's live replication did not bring write ${i} to device B within 30 s`)),
        30_000,
      );
      waiting.set(draft.id, () => {
        clearTimeout(stalled);
        resolve();
      });
    });
    const { id, ...fields } = draft;
    const ms = await elapsed(async () => {
      await pa.put({ _id: id, ...fields });
      await seen;
    });
    if (i >= 10) pouch.push(ms);
  }
  feed.cancel();
  push.cancel();
  pull.cancel();
  await Promise.all([pa.destroy(), pb.destroy(), remote.destroy()]);
  closeOthers();

  const summary = (name: string, values: number[], baseline?: string): (Samples & { baseline?: string })[] => [
    { name: `${name} p50`, unit: 'ms', values: [percentile(values, 50)], ...(baseline ? { baseline: `${baseline} p50` } : {}) },
    { name: `${name} p99`, unit: 'ms', values: [percentile(values, 99)], ...(baseline ? { baseline: `${baseline} p99` } : {}) },
  ];
  return [...summary(`${label}: Pourover`, ours, `${label}: PouchDB live`), ...summary(`${label}: PouchDB live`, pouch)];
}
