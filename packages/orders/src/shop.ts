import { PouroverError } from '@pourover/protocol';
import { openReplica, type ReplicaOptions, type SyncStatus } from '@pourover/replica';
import {
  orderRequest,
  type CatalogItem,
  type ShopperCollectionName,
  type DeliverySlot,
  type DraftEdit,
  type Order,
  type OrderRequest,
  type OrderStatus,
} from '@pourover/schemas';
import type { RxCollection } from 'rxdb/plugins/core';
import { getFromMapOrCreate } from 'rxdb/plugins/utils';
import { BehaviorSubject, combineLatest, interval, map, shareReplay, startWith, type Observable } from 'rxjs';
import { pouroverDeviceApp, type ShopReplica } from './device-app.ts';
import { draftConflictHandler } from './draft-conflicts.ts';
import { draftDoc } from './draft-doc.ts';
import { cancelRefusal } from './lifecycle.ts';
import { awaitDestination, awaitMoveDestinations } from './moves.ts';
import { noticesOf, type Notice } from './notices.ts';
import { orderLists, type OrderView } from './order-view.ts';

export type ShopOptions = Omit<ReplicaOptions<ShopperCollectionName>, 'app' | 'beforeApply' | 'conflictHandlers'> & {
  /** The clock notices are judged by (milliseconds since the epoch). */
  now?: () => number;
  /** A placed order not received after this long gets a notice (default 15 minutes). */
  unreceivedAfterMs?: number;
  /** An order not delivered this long after its slot's end gets a notice (default 15 minutes). */
  lateAfterMs?: number;
  /** How long an order's end (rejected, cancelled by the store, a cancellation refused) gets a notice (default 3 days). */
  recentMs?: number;
  /** When to look at placed orders again (default every minute). */
  recheck$?: Observable<unknown>;
  /** Where the keys of dismissed notices are kept across restarts (default: in memory only). */
  dismissedNotices?: NoticeMemory;
};

/** Keeps the keys of the notices a shopper dismissed, such as in the browser's localStorage. */
export type NoticeMemory = { load(): readonly string[]; save(keys: readonly string[]): void };

const FIFTEEN_MINUTES = 15 * 60_000;
const THREE_DAYS = 3 * 24 * 60 * 60_000;
/** The most dismissed notice keys kept: each names one order, so older ones are long out of date. */
const REMEMBERED_DISMISSALS = 200;

/**
 * A collection's documents, live, as plain objects. RxDB hands out the same
 * document object while a document keeps its revision, so its plain object
 * is kept too, and what is made of it (an order's view) is made once.
 */
function docs<T extends object>(collection: RxCollection<Record<string, unknown>>): Observable<T[]> {
  const plain = new WeakMap<object, T>();
  return collection.find().$.pipe(map((found) => found.map((doc) => getFromMapOrCreate(plain, doc, () => doc.toJSON() as unknown as T))));
}

/**
 * The shopper's shop on one device: the catalog, delivery slots and every
 * order, live, and the edits a shopper makes. Works the same offline.
 */
export class Shop {
  readonly replica: ShopReplica;
  readonly catalog$: Observable<CatalogItem[]>;
  readonly slots$: Observable<DeliverySlot[]>;
  /** Every order exactly once, with its status, items and total, newest first. */
  readonly orders$: Observable<OrderView[]>;
  readonly notices$: Observable<Notice[]>;
  readonly status$: Observable<SyncStatus>;
  readonly #prices: Map<string, number>;
  readonly #dismissed: BehaviorSubject<ReadonlySet<string>>;
  readonly #memory: NoticeMemory | undefined;
  readonly #now: () => number;

  private constructor(replica: ShopReplica, prices: Map<string, number>, options: ShopOptions) {
    this.replica = replica;
    this.#prices = prices;
    this.#now = options.now ?? Date.now;
    this.#memory = options.dismissedNotices;
    this.#dismissed = new BehaviorSubject<ReadonlySet<string>>(new Set(this.#memory?.load() ?? []));
    const { collections } = replica;
    const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((item) => [item.id, item]));
    this.catalog$ = docs<CatalogItem>(collections.catalog).pipe(
      map((items) => items.sort((a, b) => a.name.localeCompare(b.name))),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.slots$ = docs<DeliverySlot>(collections.availability).pipe(
      map((slots) => slots.sort((a, b) => a.start.localeCompare(b.start))),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.orders$ = combineLatest({
      drafts: docs<Order>(collections.draftOrders),
      placed: docs<Order>(collections.placedOrders),
      processed: docs<Order>(collections.processedOrders),
      catalog: this.catalog$.pipe(map(byId)),
      slots: this.slots$.pipe(map(byId)),
      requests: docs<OrderRequest>(collections.orderRequests).pipe(map(byId)),
    }).pipe(map(orderLists()), shareReplay({ bufferSize: 1, refCount: true }));
    const judged = {
      unreceivedAfterMs: options.unreceivedAfterMs ?? FIFTEEN_MINUTES,
      lateAfterMs: options.lateAfterMs ?? FIFTEEN_MINUTES,
      recentMs: options.recentMs ?? THREE_DAYS,
    };
    const recheck$ = (options.recheck$ ?? interval(60_000)).pipe(startWith(null));
    this.notices$ = combineLatest([this.orders$, this.#dismissed, recheck$]).pipe(
      map(([orders, dismissed]) => noticesOf(orders, { ...judged, now: this.#now(), dismissed })),
    );
    this.status$ = replica.status$;
  }

  /** Opens the device's replica with the order rules plugged in, and the shop over it. */
  static async open(options: ShopOptions): Promise<Shop> {
    const prices = new Map<string, number>();
    let resolveReplica: (replica: ShopReplica) => void = () => {};
    const replicaReady = new Promise<ShopReplica>((resolve) => (resolveReplica = resolve));
    const replica = await openReplica({
      ...options,
      app: pouroverDeviceApp,
      conflictHandlers: {
        draftOrders: draftConflictHandler({
          priceOf: (id) => prices.get(id),
          arrived: async (tombstone) => awaitDestination(await replicaReady, 'draftOrders', tombstone),
        }),
      },
      beforeApply: awaitMoveDestinations(() => replicaReady),
    });
    resolveReplica(replica);
    const shop = new Shop(replica, prices, options);
    // Edits price drafts from the catalog the device holds: opened before it is read, a draft would show $0.00, and the
    // server would refuse to place it at a total the shopper never saw.
    await new Promise<void>((resolve) =>
      shop.catalog$.subscribe((items) => {
        prices.clear();
        for (const item of items) prices.set(item.id, item.priceCents);
        resolve();
      }),
    );
    return shop;
  }

  /** Starts a new draft, empty or for a delivery slot, and returns its id. */
  async createDraft(options: { slotId?: string } = {}): Promise<string> {
    const id = crypto.randomUUID();
    const { derivedFields, editDraft, emptyDraftUpdate } = await draftDoc();
    const ydoc = options.slotId ? editDraft(emptyDraftUpdate(), [{ kind: 'setSlot', slotId: options.slotId }]) : emptyDraftUpdate();
    const draft: Order = {
      id,
      status: 'draft',
      ydoc,
      ...derivedFields(ydoc, this.#priceOf),
      createdTime: new Date(this.#now()).toISOString(),
    };
    await this.replica.collections.draftOrders.insert(draft);
    return id;
  }

  addItem(orderId: string, itemId: string, count = 1) {
    this.#known(itemId);
    return this.#edit(orderId, (current) => [
      { kind: 'setCount', itemId, count: (current.lines.find((l) => l.itemId === itemId)?.count ?? 0) + count },
    ]);
  }

  setCount(orderId: string, itemId: string, count: number) {
    if (count > 0) this.#known(itemId);
    return this.#edit(orderId, () => [{ kind: 'setCount', itemId, count }]);
  }

  removeItem(orderId: string, itemId: string) {
    return this.#edit(orderId, () => [{ kind: 'remove', itemId }]);
  }

  setNote(orderId: string, note: string) {
    return this.#edit(orderId, () => [{ kind: 'setNote', note }]);
  }

  setSlot(orderId: string, slotId: string | null) {
    return this.#edit(orderId, () => [{ kind: 'setSlot', slotId }]);
  }

  /**
   * Places a draft: one atomic write on the device marks it `placing`, with
   * its content exactly as the shopper sees it and the payment method their
   * profile shows (the server takes the profile's when the device has none
   * yet); the server moves it, or tells why not (`refusal`).
   */
  async place(orderId: string): Promise<void> {
    const paymentToken = await this.#paymentToken();
    const doc = await this.#draft(orderId);
    await doc.incrementalModify((data) => {
      if (data['status'] !== 'draft') return data;
      const { refusal: _refusal, ...draft } = data;
      return { ...draft, status: 'placing', ...(paymentToken ? { paymentToken } : {}) };
    });
  }

  /**
   * Asks the store to cancel an order: one write on the device, sent when it
   * is online and answered by the server on arrival (the order's
   * `cancelRequest`). Asking again after a refusal asks anew. Refused here,
   * with a PRECONDITION_FAILED error saying why, when the order as this
   * device knows it can no longer be cancelled.
   */
  async requestCancel(orderId: string, reason?: string): Promise<void> {
    const words = reason?.trim() ?? '';
    const request = orderRequest.safeParse({ id: orderId, kind: 'cancel', ...(words ? { reason: words } : {}) });
    if (!request.success)
      throw new PouroverError('BAD_INPUT', 'an order id is a UUID or a ULID, and a reason for cancelling has at most 500 characters');
    const status = await this.#statusOf(orderId);
    if (!status) throw new PouroverError('NOT_FOUND', `there is no order ${orderId} on this device`);
    const refusal =
      status === 'placing' ? 'the order is still waiting to be sent to the store; cancel it once it is placed' : cancelRefusal(status);
    if (refusal) throw new PouroverError('PRECONDITION_FAILED', `this order can no longer be cancelled: ${refusal}`);
    const collection = this.replica.collections.orderRequests;
    const asked = await collection.findOne(orderId).exec();
    // An accepted request is final: the order's cancellation is on its way to this device.
    if (asked?.get('answer')?.outcome === 'accepted') return;
    await collection.incrementalUpsert(request.data);
  }

  /** Stops showing a notice, here and, with a notice memory, after a restart. */
  dismiss(noticeKey: string) {
    const dismissed = [...this.#dismissed.value, noticeKey];
    this.#dismissed.next(new Set(dismissed));
    this.#memory?.save(dismissed.slice(-REMEMBERED_DISMISSALS));
  }

  async close() {
    this.#dismissed.complete();
    await this.replica.close();
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }

  readonly #priceOf = (itemId: string) => this.#prices.get(itemId);

  /** Refuses an item the device's catalog does not hold: its draft would show no price, and the server would not place it. */
  #known(itemId: string) {
    if (!this.#prices.has(itemId)) throw new PouroverError('PRECONDITION_FAILED', `item ${itemId} is not in the catalog on this device`);
  }

  /** The payment method the shopper's profile shows on this device ('' for none). */
  async #paymentToken(): Promise<string> {
    const profile = await this.replica.collections.user.findOne().exec();
    return String(profile?.get('paymentToken') ?? '');
  }

  /** An order's status as this device knows it: where it went furthest (processed over placed over draft). */
  async #statusOf(orderId: string): Promise<OrderStatus | undefined> {
    const { processedOrders, placedOrders, draftOrders } = this.replica.collections;
    for (const collection of [processedOrders, placedOrders, draftOrders]) {
      const doc = await collection.findOne(orderId).exec();
      if (doc) return doc.get('status') as OrderStatus;
    }
    return undefined;
  }

  async #draft(orderId: string) {
    const doc = await this.replica.collections.draftOrders.findOne(orderId).exec();
    if (!doc) throw new PouroverError('NOT_FOUND', `there is no draft ${orderId} on this device`);
    return doc;
  }

  async #edit(orderId: string, edits: (current: Order) => DraftEdit[]) {
    const doc = await this.#draft(orderId);
    const { editDraftWithFields, emptyDraftUpdate } = await draftDoc();
    let refused = false;
    // RxDB runs the modifier again on the newer state when a sync write came first: only its last run says whether the edit was made.
    await doc.incrementalModify((data) => {
      const current = data as unknown as Order;
      refused = current.status !== 'draft';
      if (refused) return data;
      // An edit answers a refused placing: the reason no longer holds for what the shopper now sees.
      const { refusal: _refusal, ...draft } = data;
      return { ...draft, ...editDraftWithFields(current.ydoc || emptyDraftUpdate(), edits(current), this.#priceOf) };
    });
    if (refused) throw new PouroverError('PRECONDITION_FAILED', 'this order is being placed and can no longer be changed');
  }
}
