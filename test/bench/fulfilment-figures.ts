import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { OrderProcessor, SimulatedGateway } from '@pourover/processor';
import type { DeliverySlot, Order, OrderStatus } from '@pourover/schemas';
import { fixedCredentials, withRecovery } from '@pourover/sync-client';
import { placeOrder, type Shopper } from '../support/shoppers.ts';
import { openSlot, orderIn, shopOf, until, withProfile } from './bench-shop.ts';
import type { BenchContext } from './context.ts';
import { percentiles, type Samples } from './stats.ts';

type Step = (s: string) => void;

/** The store's moves of a received order to its delivery, as the owner's dashboard makes them. */
const ROUTE: readonly { status: OrderStatus; driverId?: string }[] = [
  { status: 'preparing' },
  { status: 'ready', driverId: 'bench-driver' },
  { status: 'outForDelivery' },
  { status: 'delivered' },
];

/** Where the shoppers of the moves and refunds start: after the one whose device the first figure watches. */
const CROWD_FROM = 6_001;

/**
 * Shoppers with a profile each, `count` of them, as the store's day brings
 * many shoppers who order once or twice rather than one device placing a
 * thousand orders back to back (the server's budget of a device or an
 * account refuses that, as it should).
 */
async function crowdOf(ctx: BenchContext, count: number): Promise<(Shopper & { token: string })[]> {
  const crowd: (Shopper & { token: string })[] = [];
  for (let n = 0; n < count; n += 1) {
    const shopper = ctx.shopper(CROWD_FROM + n);
    crowd.push({ ...shopper, client: await withProfile(ctx, shopper) });
  }
  return crowd;
}

/** Places an order from a shopper's device, which waits out a rate limit as the server's Retry-After asks (as the replica's pushes do). */
function placedFrom(shopper: Shopper & { token: string }, item: BenchContext['catalog'][number], slot: DeliverySlot): Promise<Order> {
  const id = randomUUID();
  return withRecovery(fixedCredentials(shopper.token), () => placeOrder(shopper, { id, items: [{ item, count: 1 }], slot }));
}

async function move(ctx: BenchContext, replica: string, current: WireDocument, fields: Partial<Order>): Promise<WireDocument> {
  const write = { ...current, ...fields };
  const result = await ctx.store.sync.batch.mutate({
    replica,
    operations: [{ collection: 'processedOrders', precondition: { kind: 'equals', state: current }, write }],
  });
  if (!result.ok) throw new Error(`bench: the move of ${current.id} to ${String(fields.status)} was refused`);
  const [moved] = (await ctx.store.sync.get.query({ collection: 'processedOrders', ids: [current.id], replica })).documents;
  if (!moved) throw new Error(`bench: order ${current.id} is gone`);
  return moved;
}

/**
 * Fulfilment: the time from an owner's move (one batch) to the shopper's
 * device showing the order's new step, next to the same device seeing a
 * draft edit of its other device (the engine's propagation, measured by the
 * order figures); then the store's moves per second, `parallel` orders at a
 * time, each order taken from received to delivered; then the processor's
 * refunds per second, from a start with every order already cancelled. The
 * moved and refunded orders come from `orders` shoppers, one of each apiece,
 * as a store's orders come from many shoppers' devices, each held to its
 * own request budget.
 */
export async function fulfilmentFigures(
  ctx: BenchContext,
  options: { samples: number; orders: number; parallel: number; step: Step },
): Promise<(Samples & { baseline?: string })[]> {
  const slot = await openSlot(ctx);
  const bench = ctx.shopper(6_000);
  const client = await withProfile(ctx, bench);
  const shopper: Shopper = { id: bench.id, replica: bench.replica, client };
  const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-fulfil-'));
  const gateway = new SimulatedGateway(join(dir, 'payments.sqlite'));
  const token = readFileSync(join(ctx.server.dataDir, 'store.token'), 'utf8').trim();
  const processor = new OrderProcessor({ server: ctx.server.url, token, journal: join(dir, 'journal.sqlite'), gateway, leaseTtlMs: 2_000 });
  await processor.start();
  const shop = await shopOf(ctx, bench.token, 'fulfilment');
  await shop.replica.awaitInSync();

  const receivedOrder = async (): Promise<WireDocument> => {
    const placed = await placeOrder(shopper, { id: randomUUID(), items: [{ item: ctx.catalog[0]!, count: 1 }], slot });
    await until(shop.orders$, (orders) => orderIn(orders, placed.id)?.status === 'received', `order ${placed.id} received`);
    const [received] = (await ctx.store.sync.get.query({ collection: 'processedOrders', ids: [placed.id], replica: shopper.replica }))
      .documents;
    if (!received) throw new Error(`bench: order ${placed.id} is not on the server`);
    return received;
  };

  const shown: number[] = [];
  for (let i = 0; i < options.samples; i += 1) {
    if (i % 5 === 0) options.step(`owner's move → shopper's device: ${i}/${options.samples}`);
    let current = await receivedOrder();
    for (const next of ROUTE) {
      const seen = until(shop.orders$, (orders) => orderIn(orders, current.id)?.status === next.status, `${next.status} on the device`);
      const started = performance.now();
      current = await move(ctx, shopper.replica, current, next);
      await seen;
      shown.push(performance.now() - started);
    }
  }
  await shop.close();

  options.step(`fulfilment moves: ${options.orders} shoppers sign up`);
  // Each shopper of the crowd places one order the store delivers and, later, one it cancels.
  const crowd = await crowdOf(ctx, options.orders);
  options.step(`fulfilment moves: receiving ${options.orders} orders`);
  const queue: WireDocument[] = [];
  for (let i = 0; i < options.orders; i += 1) {
    const placed = await placedFrom(crowd[i]!, ctx.catalog[i % ctx.catalog.length]!, slot);
    queue.push({ ...placed, _deleted: false });
  }
  /** Order `i`'s state in processed orders once `done` holds: the order of the crowd's `i`th shopper. */
  const processedWhen = async (i: number, id: string, done: (order: WireDocument) => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const [order] = (await ctx.store.sync.get.query({ collection: 'processedOrders', ids: [id], replica: crowd[i]!.replica })).documents;
      if (order && done(order)) return order;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`bench: order ${id} not ${what} after 60 s`);
  };
  const received = (i: number, id: string) => processedWhen(i, id, () => true, 'received');
  const refunded = (i: number, id: string) => processedWhen(i, id, (order) => order['refundedTime'] !== undefined, 'refunded');
  const ready = await Promise.all(queue.map((order, i) => received(i, order.id)));
  const toCancel: WireDocument[] = [];
  for (let i = 0; i < options.orders; i += 1) {
    const placed = await placedFrom(crowd[i]!, ctx.catalog[i % ctx.catalog.length]!, slot);
    toCancel.push(await received(i, placed.id));
  }
  await processor.close();

  options.step(`fulfilment moves: ${options.orders} orders to delivered, ${options.parallel} at a time`);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.parallel }, async () => {
      while (next < ready.length) {
        const i = next++;
        let current = ready[i]!;
        for (const fields of ROUTE) current = await move(ctx, crowd[i]!.replica, current, fields);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  options.step(`refunds: the store cancels ${toCancel.length} orders, then the processor gives each charge back`);
  await Promise.all(
    toCancel.map((order, i) => move(ctx, crowd[i]!.replica, order, { status: 'cancelled', cancelReason: 'bench: closed early' })),
  );
  const refunder = new OrderProcessor({ server: ctx.server.url, token, journal: join(dir, 'journal.sqlite'), gateway, leaseTtlMs: 2_000 });
  // Timed from when it holds the lease: the last processor's lease runs out first.
  let leased: number | undefined;
  const stopListening = refunder.onStats((stats) => {
    if (stats.holdsLease) leased ??= performance.now();
  });
  await refunder.start();
  await Promise.all(toCancel.map((order, i) => refunded(i, order.id)));
  const refundSeconds = (performance.now() - (leased ?? Number.NaN)) / 1000;
  stopListening();
  await refunder.close();
  gateway.close();
  rmSync(dir, { recursive: true, force: true });
  return [
    ...percentiles('owner’s move → the shopper’s device shows it', shown, 'propagation A→B, 0 other streams: Pourover'),
    {
      name: `fulfilment moves by the store, ${options.parallel} orders at a time`,
      unit: 'moves/s',
      values: [(ready.length * ROUTE.length) / seconds],
      durability: 'SQLite store, each batch committed and synced (group commit)',
    },
    {
      name: 'refunds through the processor (cancelled → charge given back → recorded)',
      unit: 'refunds/s',
      values: [toCancel.length / refundSeconds],
      durability: 'journal and ledger in SQLite, synchronous FULL, fsyncs grouped; each order recorded by one batch',
    },
  ];
}
