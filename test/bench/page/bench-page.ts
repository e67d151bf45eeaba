/**
 * The benchmarks' side in Chromium: the device code the shop runs (replica
 * and order API), a raw Dexie table, and PouchDB on its IndexedDB adapter,
 * each timed in the page. The benchmark serves this page at `/__bench/` on
 * the origin of the server it talks to, so no request is cross-origin.
 */
import { openShop } from '@pourover/orders';
import { openReplica } from '@pourover/replica';
import { rxSchemaOf, type Order } from '@pourover/schemas';
import Dexie from 'dexie';
import PouchDB from 'pouchdb-browser';
import { createRxDatabase, type RxDocument } from 'rxdb/plugins/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { filter, firstValueFrom, map } from 'rxjs';
import { pouroverDeviceApp, type ShopReplica } from '@pourover/orders';
import type { WireDocument } from '@pourover/protocol';
import { writeOldDevice } from '../../e2e/fixtures/old-device/old-device-db.ts';

const url = location.origin;

const elapsed = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

// One tab: no leader election, as in the Node benchmarks.
const device = (token: string, name: string) => openReplica({ app: pouroverDeviceApp, url, blessing: token, name, multiInstance: false });

/** Deletes a device's database and stops its sync (closing a removed database may complain; it is gone either way). */
async function discard(replica: ShopReplica) {
  await replica.db.remove();
  await replica.close().catch(() => {});
}

const bench = {
  /** A fresh device, from opening its database until it has pulled everything. */
  async initialSync(token: string, name: string): Promise<number> {
    let replica: ShopReplica | undefined;
    const ms = await elapsed(async () => {
      replica = await device(token, name);
      await replica.awaitInSync();
    });
    if (replica) await discard(replica);
    return ms;
  },

  /**
   * A device an older app left holding `orders` (received and synced, stored
   * at `schemas`' versions, as fixture-corpus.e2e.ts writes them): the
   * current app opening it, until its database is open, every order migrated.
   */
  async migrate(token: string, name: string, schemas: Record<string, Record<string, unknown>>, orders: WireDocument[]): Promise<number> {
    await writeOldDevice({ name, schemas, synced: { processedOrders: orders } });
    let replica: ShopReplica | undefined;
    const ms = await elapsed(async () => {
      replica = await device(token, name);
    });
    if (!replica) throw new Error('the device did not open');
    const held = await replica.collections.processedOrders.count().exec();
    await discard(replica);
    if (held !== orders.length) throw new Error(`the migrated device holds ${held} of ${orders.length} orders`);
    return ms;
  },

  /** An online device writes `drafts`; until the server has taken them all. */
  async push(token: string, name: string, drafts: Order[]): Promise<number> {
    const replica = await device(token, name);
    await replica.awaitInSync();
    const ms = await elapsed(async () => {
      await replica.collections.draftOrders.bulkInsert(drafts);
      await replica.awaitInSync();
    });
    await discard(replica);
    return ms;
  },

  /** The floor: the same documents into a plain Dexie table. */
  async dexieBulkPut(name: string, docs: Order[]): Promise<number> {
    const db = new Dexie(name);
    db.version(1).stores({ orders: 'id' });
    await db.open();
    const ms = await elapsed(() => db.table('orders').bulkPut(docs));
    await db.delete();
    return ms;
  },

  /** The floor through RxDB: the same documents inserted into a fresh collection of an order's schema, on the same storage. */
  async rxdbBulkInsert(name: string, docs: Order[]): Promise<number> {
    const db = await createRxDatabase({ name, storage: getRxStorageDexie(), multiInstance: false });
    await db.addCollections({ orders: { schema: { ...rxSchemaOf('processedOrders'), title: 'orders' } as never } });
    const ms = await elapsed(() => db.collections['orders']!.bulkInsert(docs));
    await db.remove();
    return ms;
  },

  /** PouchDB's initial replication from the remote database into a fresh local one, `batchSize` documents a batch (PouchDB's default 100). */
  async pouchPull(remoteName: string, name: string, batchSize = 100): Promise<number> {
    const local = new PouchDB(name);
    const ms = await elapsed(() => local.replicate.from(new PouchDB(`${url}/${remoteName}`), { batch_size: batchSize }));
    await local.destroy();
    return ms;
  },

  /** PouchDB writes `docs` locally and replicates them to the (empty) remote database, `batchSize` documents a batch. */
  async pouchPush(remoteName: string, name: string, docs: Order[], batchSize = 100): Promise<number> {
    const local = new PouchDB(name);
    const ms = await elapsed(async () => {
      await local.bulkDocs(docs.map(({ id, ...doc }) => ({ _id: id, ...doc })));
      await local.replicate.to(new PouchDB(`${url}/${remoteName}`), { batch_size: batchSize });
    });
    await local.destroy();
    return ms;
  },

  /**
   * Draft edits through the order API: until the write is committed to
   * IndexedDB, and until `orders$` shows it; then a single Dexie `put` of
   * the same draft, the floor; then RxDB's own incremental write of it in a
   * bare collection (no replication, no order API), what RxDB alone costs.
   */
  async draftEdits(token: string, name: string, itemId: string, edits: number) {
    const shop = await openShop({ url, blessing: token, name, multiInstance: false });
    await shop.replica.awaitInSync();
    // The screen keeps its subscription to the orders.
    const watching = shop.orders$.subscribe();
    const draft = await shop.createDraft();
    const committed: number[] = [];
    const shown: number[] = [];
    for (let i = 1; i <= edits + 10; i += 1) {
      const count = (i % 98) + 1;
      // Stamped when the orders emit, which may come before the write's promise resolves.
      const seen = firstValueFrom(
        shop.orders$.pipe(
          filter((orders) => orders.find((order) => order.id === draft)?.items[0]?.count === count),
          map(() => performance.now()),
        ),
      );
      const started = performance.now();
      await shop.setCount(draft, itemId, count);
      const written = performance.now() - started;
      const shownAt = await seen;
      if (i <= 10) continue;
      committed.push(written);
      shown.push(shownAt - started);
    }
    const doc = (await shop.replica.collections.draftOrders.findOne(draft).exec())?.toJSON();
    watching.unsubscribe();
    await discard(shop.replica);
    const db = new Dexie(`${name}-put`);
    db.version(1).stores({ orders: 'id' });
    await db.open();
    const put: number[] = [];
    for (let i = 1; i <= edits + 10; i += 1) {
      const ms = await elapsed(() => db.table('orders').put({ ...doc, itemCount: i }));
      if (i > 10) put.push(ms);
    }
    await db.delete();
    const bare = await createRxDatabase({ name: `${name}-rxdb`, storage: getRxStorageDexie(), multiInstance: false });
    await bare.addCollections({ draftOrders: { schema: rxSchemaOf('draftOrders') as never } });
    let current: RxDocument = await bare.collections['draftOrders']!.insert(doc);
    const rxdb: number[] = [];
    for (let i = 1; i <= edits + 10; i += 1) {
      const ms = await elapsed(async () => {
        current = await current.incrementalModify((data: Record<string, unknown>) => ({ ...data, itemCount: i }));
      });
      if (i > 10) rxdb.push(ms);
    }
    await bare.remove();
    return { committed, shown, put, rxdb };
  },

  /**
   * The same edits on a device that synced and then lost its server (an
   * address nothing answers on): the write alone, with no replication of
   * the edit before it running beside it.
   */
  async offlineDraftEdits(token: string, name: string, itemId: string, edits: number): Promise<number[]> {
    const online = await openShop({ url, blessing: token, name, multiInstance: false });
    await online.replica.awaitInSync();
    const draft = await online.createDraft();
    await online.replica.awaitInSync();
    await online.replica.close();
    const shop = await openShop({ url: 'http://127.0.0.1:9', blessing: token, name, multiInstance: false });
    // The screen keeps its subscription to the orders, as online.
    const watching = shop.orders$.subscribe();
    const committed: number[] = [];
    for (let i = 1; i <= edits + 10; i += 1) {
      const ms = await elapsed(() => shop.setCount(draft, itemId, (i % 98) + 1));
      if (i > 10) committed.push(ms);
    }
    watching.unsubscribe();
    await discard(shop.replica);
    return committed;
  },
};

export type BenchPage = typeof bench;
Object.assign(window, { bench });
