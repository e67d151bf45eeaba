import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderProcessor, processorLogger, SimulatedGateway } from '@pourover/processor';
import { placeOrder, type Shopper } from '../support/shoppers.ts';
import { openSlot, orderIn, shopOf, until, withProfile } from './bench-shop.ts';
import type { BenchContext } from './context.ts';
import { percentiles, type Samples } from './stats.ts';

type Step = (s: string) => void;

/** A draft edit on one device until the other device's order API shows it; placing many orders from one device. */
export async function orderFigures(
  ctx: BenchContext,
  options: { edits: number; places: number; step: Step },
): Promise<(Samples & { baseline?: string })[]> {
  const shopper = ctx.shopper(4_000);
  const { token } = shopper;
  await withProfile(ctx, shopper);
  const slot = await openSlot(ctx);
  const a = await shopOf(ctx, token, 'edit-a');
  const b = await shopOf(ctx, token, 'edit-b');
  await Promise.all([a.replica.awaitInSync(), b.replica.awaitInSync()]);
  const item = ctx.catalog[0]!;
  const draft = await a.createDraft();
  await until(b.orders$, (orders) => orderIn(orders, draft) !== undefined, 'the new draft on device B');
  const edits: number[] = [];
  for (let i = 1; i <= options.edits + 10; i += 1) {
    if (i % 25 === 0) options.step(`draft edit A→B: ${i}/${options.edits + 10}`);
    const count = (i % 98) + 1;
    const seen = until(b.orders$, (orders) => orderIn(orders, draft)?.items[0]?.count === count, `count ${count} on device B`);
    const started = performance.now();
    await a.setCount(draft, item.id, count);
    await seen;
    if (i > 10) edits.push(performance.now() - started);
  }
  await b.close();

  options.step(`placing ${options.places} orders: preparing drafts`);
  const ids: string[] = [];
  for (let i = 0; i < options.places; i += 1) {
    const id = await a.createDraft({ slotId: slot.id });
    await a.addItem(id, ctx.catalog[i % ctx.catalog.length]!.id);
    ids.push(id);
  }
  await a.replica.awaitInSync();
  options.step(`placing ${options.places} orders`);
  const started = performance.now();
  for (const id of ids) await a.place(id);
  await until(a.orders$, (orders) => ids.every((id) => orderIn(orders, id)?.status === 'placed'), `all ${ids.length} orders placed`);
  const placing = performance.now() - started;
  await a.close();
  return [
    ...percentiles('draft edit A→B through the order API', edits, 'propagation A→B, 0 other streams: Pourover'),
    { name: `placing ${options.places} orders from one device, until all show placed`, unit: 'ms', values: [placing] },
  ];
}

/**
 * Orders per second the processor takes from a queue of `count` placed
 * orders (journal and ledger synced): the median of `runs` rounds after a
 * warm-up round of a tenth as many, each timed from the moment a fresh
 * processor holds the lease until the queue is empty. Then placing →
 * received on a device.
 */
export async function processorFigures(
  ctx: BenchContext,
  options: { count: number; runs: number; latencySamples: number; step: Step },
): Promise<(Samples & { baseline?: string })[]> {
  const slot = await openSlot(ctx);
  const shoppers: Shopper[] = [];
  for (let n = 0; n < 20; n += 1) {
    const s = ctx.shopper(5_000 + n);
    shoppers.push({ id: s.id, replica: s.replica, client: await withProfile(ctx, s) });
  }
  const dir = mkdtempSync(join(tmpdir(), 'pourover-bench-proc-'));
  const gateway = new SimulatedGateway(join(dir, 'payments.sqlite'));
  const token = readFileSync(join(ctx.server.dataDir, 'store.token'), 'utf8').trim();
  const processorOptions = { server: ctx.server.url, token, journal: join(dir, 'journal.sqlite'), gateway, leaseTtlMs: 2_000 };
  const rates: number[] = [];
  for (let run = 0; run <= options.runs; run += 1) {
    const count = run === 0 ? Math.ceil(options.count / 10) : options.count;
    const label = `processor, run ${run}/${options.runs}${run === 0 ? ' (warm-up)' : ''}`;
    options.step(`${label}: queueing ${count} orders`);
    // Each shopper places their share in turn, all shoppers at once.
    await Promise.all(
      shoppers.map(async (shopper, n) => {
        for (let i = n; i < count; i += shoppers.length) {
          await placeOrder(shopper, { id: randomUUID(), items: [{ item: ctx.catalog[i % ctx.catalog.length]!, count: 1 }], slot });
        }
      }),
    );
    options.step(`${label}: processing ${count} orders`);
    // A fresh processor waits for its predecessor's lease to lapse; the clock starts once it holds it.
    let holding = 0;
    const destination = {
      write(line: string) {
        if (line.includes('"message":"holding the processor lease"')) holding = performance.now();
      },
    };
    const processor = new OrderProcessor({ ...processorOptions, logger: processorLogger({ level: 'info', destination }) });
    await processor.runOnce();
    const seconds = (performance.now() - holding) / 1000;
    const processed = processor.stats.processed;
    await processor.close();
    // The warm-up round also drains orders earlier groups placed (the order figures place some); timed rounds take exactly theirs.
    if (run === 0 ? processed < count : processed !== count) throw new Error(`the processor took ${processed} of ${count} orders`);
    if (run > 0) rates.push(processed / seconds);
  }

  const processor = new OrderProcessor(processorOptions);
  await processor.start();
  const shopper = ctx.shopper(5_000);
  const shop = await shopOf(ctx, shopper.token, 'received');
  await shop.replica.awaitInSync();
  const latencies: number[] = [];
  for (let i = 0; i < options.latencySamples; i += 1) {
    if (i % 10 === 0) options.step(`placing → received: ${i}/${options.latencySamples}`);
    const id = await shop.createDraft();
    await shop.addItem(id, ctx.catalog[0]!.id);
    await shop.setSlot(id, slot.id);
    await shop.replica.awaitInSync();
    const begin = performance.now();
    await shop.place(id);
    await until(shop.orders$, (orders) => orderIn(orders, id)?.status === 'received', `order ${id} received`);
    latencies.push(performance.now() - begin);
  }
  await shop.close();
  await processor.close();
  gateway.close();
  rmSync(dir, { recursive: true, force: true });
  return [
    {
      name: `processor, ${options.count} queued orders`,
      unit: 'orders/s',
      values: rates,
      durability: 'journal and ledger: SQLite, each step synced before the next (group commit)',
    },
    ...percentiles('placing → received on the device', latencies),
  ];
}
