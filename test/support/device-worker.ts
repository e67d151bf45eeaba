/**
 * One shopper device in a worker thread: a Shop over this thread's own
 * fake-indexeddb, behind its own unpluggable TcpLink, driven by typed
 * request messages from the main thread (see `worker-device.ts`).
 *
 * RxDB's open-core build allows 13 open collections per process and a shop
 * has 6, so several devices in one test each need a thread of their own.
 * fake-indexeddb lives as long as the thread, so closing and reopening the
 * shop here keeps the device's database, as on a real device.
 *
 * Every emission of the device's `orders$` is checked here against every
 * order id the device has ever shown (none may go missing, none may show
 * twice) and posted to the main thread with the details of the orders of
 * the current run (those not shown before `beginRun`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openShop, type Notice, type OrderView, type Shop } from '@pourover/orders';
import type { CatalogItem, OrderStatus } from '@pourover/schemas';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { filter, firstValueFrom, timeout, type Subscription } from 'rxjs';
import { devSignIn } from './devices.ts';
import { openSlot } from './open-slot.ts';
import { TcpLink } from './tcp-link.ts';

export type DeviceWorkerData = { name: string; serverUrl: string; serverPort: number };

/** What the test compares of an order. */
export type OrderSummary = {
  id: string;
  status: OrderStatus;
  lines: { itemId: string; count: number }[];
  note: string;
  splitFrom?: string;
};

/** One value of `orders$` on the device, as checked in the worker. */
export type Emission = {
  seq: number;
  /** The number the last `beginRun` gave. */
  epoch: number;
  /** How many orders it shows in all. */
  total: number;
  /** Ids the device showed before that this emission lacks. */
  missing: string[];
  /** Ids this emission shows more than once. */
  duplicates: string[];
  /** The orders of the current run (not shown before `beginRun`). */
  run: OrderSummary[];
};

/** The outcome of one edit: refused, or made, with the edited key's value before and after as written locally. */
export type EditResult = { accepted: false; error: string } | { accepted: true; before: number | string; after: number | string };

export type DeviceRequests = {
  catalog: { args: []; result: CatalogItem[] };
  /** Starts a run: the orders shown so far are the baseline, and emissions carry `epoch`. */
  beginRun: { args: [epoch: number]; result: void };
  createDraft: { args: []; result: string };
  addItem: { args: [orderId: string, itemId: string, count: number]; result: EditResult };
  setCount: { args: [orderId: string, itemId: string, count: number]; result: EditResult };
  setNote: { args: [orderId: string, note: string]; result: EditResult };
  place: { args: [orderId: string]; result: { accepted: boolean; error?: string } };
  offline: { args: []; result: void };
  online: { args: []; result: void };
  close: { args: []; result: void };
  reopen: { args: []; result: void };
  /** The current orders of this run (or nothing while closed). */
  snapshot: { args: []; result: OrderSummary[] | null };
  notices: { args: []; result: Notice[] };
  /** Whether, within `timeoutMs`, the device has pulled what the server sent and pushed every local write. */
  inSync: { args: [timeoutMs: number]; result: boolean };
  shutdown: { args: []; result: void };
};

export type RequestName = keyof DeviceRequests;
export type RequestMessage = { [K in RequestName]: { id: number; op: K; args: DeviceRequests[K]['args'] } }[RequestName];
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'emission'; emission: Emission }
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: string };

const port = parentPort;
if (!port) throw new Error('device-worker.ts runs as a worker thread');
const data = workerData as DeviceWorkerData;

const summary = (order: OrderView): OrderSummary => ({
  id: order.id,
  status: order.status,
  lines: order.items.map((item) => ({ itemId: item.itemId, count: item.count })),
  note: order.note,
  ...(order.splitFrom ? { splitFrom: order.splitFrom } : {}),
});

type Draft = { id: string; lines: { itemId: string; count: number }[]; note: string };

class Device {
  readonly link: TcpLink;
  readonly token: string;
  shop: Shop | null = null;
  readonly everSeen = new Set<string>();
  baseline = new Set<string>();
  epoch = 0;
  seq = 0;
  #watching: Subscription | undefined;
  /** The last local write of each draft by this device's own API calls: its state before, and after. */
  readonly #writes = new Map<string, { before: Draft; after: Draft }>();

  constructor(link: TcpLink, token: string) {
    this.link = link;
    this.token = token;
  }

  async open() {
    const shop = await openShop({
      url: this.link.url,
      blessing: this.token,
      name: `shop-${data.name}`,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      validate: true,
      retryMs: 250,
    });
    // Collection hooks fire for the app's own writes only, never for what replication writes.
    const drafts = shop.replica.collections.draftOrders;
    drafts.preSave((next, previous) => {
      this.#writes.set(String(next['id']), { before: previous as unknown as Draft, after: next as unknown as Draft });
    }, false);
    this.shop = shop;
    this.#watching = shop.orders$.subscribe((orders) => this.#emitted(orders));
  }

  async close() {
    const shop = this.shop;
    if (!shop) return;
    this.#watching?.unsubscribe();
    this.shop = null;
    await shop.close();
  }

  #emitted(orders: OrderView[]) {
    const ids = new Set<string>();
    const duplicates: string[] = [];
    for (const order of orders) {
      if (ids.has(order.id)) duplicates.push(order.id);
      ids.add(order.id);
    }
    const missing = [...this.everSeen].filter((id) => !ids.has(id));
    for (const id of ids) this.everSeen.add(id);
    const emission: Emission = {
      seq: ++this.seq,
      epoch: this.epoch,
      total: orders.length,
      missing,
      duplicates,
      run: orders.filter((order) => !this.baseline.has(order.id)).map(summary),
    };
    post({ kind: 'emission', emission });
  }

  get live() {
    if (!this.shop) throw new Error(`device ${data.name} is closed`);
    return this.shop;
  }

  /** Runs one edit through the API and reads what it wrote locally. */
  async edit(orderId: string, key: (draft: Draft) => number | string, call: (shop: Shop) => Promise<void>): Promise<EditResult> {
    this.#writes.delete(orderId);
    try {
      await call(this.live);
    } catch (error) {
      return { accepted: false, error: (error as Error).message };
    }
    const write = this.#writes.get(orderId);
    if (!write) throw new Error(`the edit of ${orderId} was accepted but no local write was seen`);
    return { accepted: true, before: key(write.before), after: key(write.after) };
  }
}

const countOf = (itemId: string) => (draft: Draft) => draft.lines.find((line) => line.itemId === itemId)?.count ?? 0;

function post(message: WorkerMessage) {
  port!.postMessage(message);
}

async function handle(device: Device, request: RequestMessage): Promise<unknown> {
  switch (request.op) {
    case 'catalog':
      return firstValueFrom(
        device.live.catalog$.pipe(
          filter((items) => items.length > 0),
          timeout(20_000),
        ),
      );
    case 'beginRun': {
      const orders = await firstValueFrom(device.live.orders$);
      device.baseline = new Set([...device.everSeen, ...orders.map((order) => order.id)]);
      device.epoch = request.args[0];
      return undefined;
    }
    case 'createDraft':
      // For a slot that takes orders, so that placing it is not refused for want of one.
      return device.live.createDraft({ slotId: (await openSlot(device.live)).id });
    case 'addItem': {
      const [orderId, itemId, count] = request.args;
      return device.edit(orderId, countOf(itemId), (shop) => shop.addItem(orderId, itemId, count));
    }
    case 'setCount': {
      const [orderId, itemId, count] = request.args;
      return device.edit(orderId, countOf(itemId), (shop) => shop.setCount(orderId, itemId, count));
    }
    case 'setNote': {
      const [orderId, note] = request.args;
      return device.edit(
        orderId,
        (draft) => draft.note,
        (shop) => shop.setNote(orderId, note),
      );
    }
    case 'place': {
      const [orderId] = request.args;
      try {
        await device.live.place(orderId);
        return { accepted: true };
      } catch (error) {
        return { accepted: false, error: (error as Error).message };
      }
    }
    case 'offline':
      device.link.unplug();
      return undefined;
    case 'online':
      device.link.plug();
      return undefined;
    case 'close':
      await device.close();
      return undefined;
    case 'reopen':
      if (!device.shop) await device.open();
      return undefined;
    case 'snapshot': {
      if (!device.shop) return null;
      const orders = await firstValueFrom(device.shop.orders$);
      return orders.filter((order) => !device.baseline.has(order.id)).map(summary);
    }
    case 'notices':
      return device.shop ? firstValueFrom(device.shop.notices$) : [];
    case 'inSync': {
      const [ms] = request.args;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
      const synced = await Promise.race([device.live.replica.awaitInSync().then(() => true), late]);
      clearTimeout(timer);
      return synced;
    }
    case 'shutdown':
      await device.close();
      await device.link.close();
      return undefined;
  }
}

const token = await devSignIn(data.serverUrl, data.name);
const link = await TcpLink.open({ port: data.serverPort });
const device = new Device(link, token);
await device.open();

// One request at a time, so the writes an edit's hooks see are that edit's.
let queue = Promise.resolve();
port.on('message', (request: RequestMessage) => {
  queue = queue.then(async () => {
    try {
      const value = await handle(device, request);
      post({ kind: 'response', id: request.id, ok: true, value });
    } catch (error) {
      post({ kind: 'response', id: request.id, ok: false, error: (error as Error).stack ?? String(error) });
    }
    if (request.op === 'shutdown') port.close();
  });
});
post({ kind: 'ready' });
