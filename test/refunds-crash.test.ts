import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem, DeliverySlot, Order } from '@pourover/schemas';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { askToCancel } from './support/fulfilment.ts';
import { ledgerCharges } from './support/ledger.ts';
import { startProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount, readServerFile } from './support/server-file.ts';
import { startServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { auditStore, refundsSettled } from './support/store-audit.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * Kills that must land while refunds are still owed. A kill after the last refund proves nothing, so rounds go on until
 * this many landed midway, up to MAX_ROUNDS.
 */
const MIDWAY_KILLS = 5;
const MAX_ROUNDS = 20;
const ORDERS_A_ROUND = 40;
const SEED = 20261206;
const PROCESSOR_ARGS = ['--lease-ttl-ms', '1500'];

/** Cancelled orders whose charge the ledger holds and whose refund is not yet both made and recorded on the order. */
function refundsOwed(dir: string, shoppers: readonly Shopper[]): number {
  const charges = new Map(ledgerCharges(dir).map((charge) => [charge.key, charge]));
  const file = readServerFile(dir);
  try {
    return shoppers
      .flatMap((shopper) =>
        file.documents(shopper.replica, 'processedOrders').map((row) => ({ shopper, order: row.document as unknown as Order })),
      )
      .filter(({ shopper, order }) => {
        const charge = charges.get(`${shopper.replica}/${order.id}`);
        return (
          order.status === 'cancelled' && charge?.status === 'charged' && (charge.refundKey === null || order.refundedTime === undefined)
        );
      }).length;
  } finally {
    file.close();
  }
}

describe('the processor SIGKILLed at random moments while it gives charges back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-refunds-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back every cancelled order’s charge exactly once, and records each once', { timeout: 300_000 }, async () => {
    const server = await startServerProcess(dir);
    try {
      const store = storeOwnerClient(server);
      const catalog = (
        (await store.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 100 })).documents as unknown as CatalogItem[]
      ).filter((item) => item.available);
      const slots = (await store.sync.pull.query({ collection: 'availability', checkpoint: null, limit: 100 }))
        .documents as unknown as DeliverySlot[];
      const open = slots.find((s) => s.cutoff > new Date(Date.now() + 3_600_000).toISOString());
      if (!open) throw new Error('no open slot');
      const slot = { ...open, id: randomUUID(), capacity: 10_000, taken: 0 };
      await store.sync.push.mutate({
        collection: 'availability',
        rows: [{ assumedMasterState: null, newDocumentState: { ...slot, _deleted: false } }],
      });
      const shoppers = await Promise.all([1, 2, 3].map((n) => createShopper(server, n, `tok_visa_${n}`)));
      const random = fc.sample(fc.integer({ min: 0, max: 2 ** 30 }), { seed: SEED, numRuns: MAX_ROUNDS * (ORDERS_A_ROUND + 1) });
      let next = 0;
      const pick = (n: number) => (random[next++ % random.length] ?? 0) % n;

      const placeRound = async () => {
        const placed: { shopper: Shopper; order: Order }[] = [];
        for (let i = 0; i < ORDERS_A_ROUND; i += 1) {
          const shopper = shoppers[i % shoppers.length]!;
          const items = [{ item: catalog[i % catalog.length]!, count: 1 }];
          placed.push({ shopper, order: await placeOrder(shopper, { id: randomUUID(), items, slot }) });
        }
        return placed;
      };
      const refundsMade = () => ledgerCharges(dir).filter((charge) => charge.refundKey !== null).length;

      let previous = await placeRound();
      const first = startProcessorProcess(server, PROCESSOR_ARGS);
      await waitFor('the first orders processed', () => livePlacedCount(dir, shoppers) === 0, 60_000);
      await first.kill();

      // Each round places orders and asks to cancel every order of the round before (received, so each holds a charge to give
      // back) and a quarter of its own (racing the processor); starts the processor, waits until it has given the first charge
      // back, and SIGKILLs it a random moment later, while the others are being given back.
      let killedMidway = 0;
      let rounds = 0;
      for (; killedMidway < MIDWAY_KILLS && rounds < MAX_ROUNDS; rounds += 1) {
        const placed = await placeRound();
        const cancelling = [...previous, ...placed.filter(() => pick(4) === 0)];
        await Promise.all(cancelling.map(({ shopper, order }) => askToCancel(shopper, order.id)));
        const before = refundsMade();
        const processor = startProcessorProcess(server, PROCESSOR_ARGS);
        await waitFor('the processor giving charges back', () => refundsMade() > before, 30_000, 2);
        await new Promise((resolve) => setTimeout(resolve, pick(30)));
        await processor.kill();
        if (refundsOwed(dir, shoppers) > 0) killedMidway += 1;
        previous = placed;
      }
      console.info(`${killedMidway} of ${rounds} kills left refunds owed`);
      expect(killedMidway, `kills that cut refunds short, in ${MAX_ROUNDS} rounds`).toBe(MIDWAY_KILLS);

      const last = startProcessorProcess(server, PROCESSOR_ARGS);
      await waitFor(
        'every order processed and every refund settled',
        () => livePlacedCount(dir, shoppers) === 0 && refundsSettled(dir),
        90_000,
      );
      await last.kill();

      // Every charge of a cancelled order was given back once, and no other (the audit checks each order and its refund key).
      const file = readServerFile(dir);
      const cancelled = new Set(
        shoppers.flatMap((shopper) =>
          file
            .documents(shopper.replica, 'processedOrders')
            .filter((row) => row.document['status'] === 'cancelled')
            .map((row) => `${shopper.replica}/${row.id}`),
        ),
      );
      file.close();
      const charges = ledgerCharges(dir).filter((charge) => charge.status === 'charged');
      const refunded = charges.filter((charge) => charge.refundKey !== null).map((charge) => charge.key);
      console.info(`${refunded.length} charges given back of ${charges.length}; ${cancelled.size} orders cancelled`);
      expect(refunded.sort()).toEqual(
        charges
          .filter((charge) => cancelled.has(charge.key))
          .map((charge) => charge.key)
          .sort(),
      );
      expect(refunded.length).toBeGreaterThan(0);
      expect(auditStore(dir, { catalog: new Map(catalog.map((item) => [item.id, item])) })).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
