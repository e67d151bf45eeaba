import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { auditOrders } from './support/audit.ts';
import { startProcessorProcess } from './support/processor-process.ts';
import { startServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, PlacingRefused } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { livePlacedCount } from './support/server-file.ts';
import { openSlots, storeCatalog, widenSlots } from './support/store-setup.ts';

const SHOPPERS = 20;
const ORDERS = 1_000;
const KILLS = 30;
/** Fewer placed orders than this before a round, and as many more are placed: a round takes up to about 180. */
const TOP_UP_BELOW = 500;
const SEED = 20261123;

describe('the order processor killed with SIGKILL at 30 random moments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-processor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('processes every one of 1,000 and more orders from 20 shoppers exactly once', { timeout: 300_000 }, async () => {
    const server = await startServerProcess(dir);
    const store = storeOwnerClient(server);
    const catalog = await storeCatalog(store);
    const open = await openSlots(store, 60_000);
    expect(open.length).toBeGreaterThan(5);
    // Half the slots take every order; the others fill, and then orders for them are rejected, or refused at placing.
    await widenSlots(
      store,
      open.filter((_, index) => index % 2 === 0),
    );

    const random = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), { seed: SEED, numRuns: ORDERS * 4 + KILLS });
    let next = 0;
    const pick = (n: number) => (random[next++ % random.length] ?? 0) % n;
    const shoppers = await Promise.all(
      Array.from({ length: SHOPPERS }, (_, n) => createShopper(server, n + 1, n % 7 === 0 ? 'tok_decline_card' : `tok_visa_${n}`)),
    );
    const placed = new Map<string, { replica: string; totalCents: number }>();
    async function placeMore(count: number) {
      for (let i = 0; i < count; i += 1) {
        const shopper = shoppers[pick(SHOPPERS)]!;
        const items = [{ item: catalog[pick(catalog.length)]!, count: 1 + pick(3) }];
        try {
          const order = await placeOrder(shopper, { id: randomUUID(), items, slot: open[pick(open.length)]! });
          placed.set(order.id, { replica: shopper.replica, totalCents: order.totalCents });
        } catch (error) {
          // Once the processor has filled a slot, the server refuses to place more orders in it: those never reach the processor.
          if (!(error instanceof PlacingRefused)) throw error;
        }
      }
    }
    await placeMore(ORDERS);

    // Each round waits until the processor is at work, then kills it a random moment later:
    // between snapshot, charge, commit and acknowledgement of whichever orders are in flight.
    // Orders are topped up between rounds, so that every kill finds work however fast the machine; the
    // processor runs as it would in production (64 orders in flight).
    const processorArgs = ['--lease-ttl-ms', '1500'];
    let killedAtWork = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      if (livePlacedCount(dir, shoppers) < TOP_UP_BELOW) await placeMore(TOP_UP_BELOW);
      const processor = startProcessorProcess(server, processorArgs);
      await waitFor('the processor to be at work', () => processor.lines.some((line) => line['outcome'] !== undefined), 30_000);
      await new Promise((resolve) => setTimeout(resolve, pick(150)));
      await processor.kill();
      if (livePlacedCount(dir, shoppers) > 0) killedAtWork += 1;
    }
    expect(killedAtWork).toBe(KILLS);
    const last = startProcessorProcess(server, processorArgs);
    await waitFor('every order to leave placedOrders', () => livePlacedCount(dir, shoppers) === 0, 120_000);
    await last.kill();

    expect(auditOrders(dir, placed)).toEqual([]);
    await server.stop();
  });
});
