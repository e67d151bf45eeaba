import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pouroverDeviceApp } from '@pourover/orders';
import { openReplica } from '@pourover/replica';
import type { CatalogItem, DeliverySlot, Order } from '@pourover/schemas';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerTo, askToCancel, moveOrder, processedNow, storeMove } from './support/fulfilment.ts';
import { ledgerCharges } from './support/ledger.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { auditStore, refundsSettled } from './support/store-audit.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { availableCatalog, newSlot } from './support/store-setup.ts';

const SEED = 20261205;
const RACING_ORDERS = 60;

/**
 * Cancelled and rejected orders with the real server and the real processor:
 * the slot place comes back in the cancel's commit, the charge comes back
 * once through the processor's journal, and the order records when.
 */
describe('refunds of cancelled and rejected orders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-refunds-'));
  let server: ServerProcess;
  let processor: ProcessorProcess;
  let store: ReturnType<typeof storeOwnerClient>;
  let catalog: CatalogItem[];
  let shoppers: Shopper[];

  beforeAll(async () => {
    server = await startServerProcess(dir);
    processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
    store = storeOwnerClient(server);
    catalog = await availableCatalog(store);
    shoppers = await Promise.all([1, 2, 3].map((n) => createShopper(server, n, `tok_visa_${n}`)));
  }, 60_000);

  afterAll(async () => {
    await processor?.kill();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await waitFor(
      'every placed order processed and every refund settled',
      () => livePlacedCount(dir, shoppers) === 0 && refundsSettled(dir),
      60_000,
    );
    expect(auditStore(dir, { catalog: new Map(catalog.map((item) => [item.id, item])) })).toEqual([]);
  });

  const taken = async (slot: DeliverySlot) =>
    ((await store.sync.get.query({ collection: 'availability', ids: [slot.id] })).documents[0] as unknown as DeliverySlot).taken;

  async function received(shopper: Shopper, slot: DeliverySlot): Promise<Order> {
    const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[0]!, count: 2 }], slot });
    await waitFor('the order received', async () => (await processedNow(store, shopper.replica, order.id))?.status === 'received');
    return order;
  }

  const refundLines = (id: string) => processor.lines.filter((line) => line['order'] === id && line['refund'] === 'refunded');
  const chargeOf = (shopper: Shopper, id: string) => ledgerCharges(dir).filter((charge) => charge.key === `${shopper.replica}/${id}`);

  /** The order's charge was made once, of its total, and given back once under the refund key; the processor logged it once. */
  function refundedOnce(shopper: Shopper, order: Order) {
    const key = `${shopper.replica}/${order.id}`;
    expect(chargeOf(shopper, order.id)).toEqual([
      {
        key,
        status: 'charged',
        amountCents: order.totalCents,
        paymentToken: expect.any(String),
        refundedCents: order.totalCents,
        refundKey: `refund:${key}`,
      },
    ]);
    expect(refundLines(order.id)).toHaveLength(1);
  }

  it('a shopper’s cancel of a received order gives the place back at once and the charge back once, recorded on the order and their device', async () => {
    const [shopper] = shoppers as [Shopper];
    const slot = await newSlot(store, 5);
    const order = await received(shopper, slot);
    expect(await taken(slot)).toBe(1);

    await askToCancel(shopper, order.id, 'changed my mind');
    expect(await answerTo(shopper, order.id)).toMatchObject({ outcome: 'accepted' });
    expect(await taken(slot)).toBe(0);
    // The processor logs a refund once its batch is answered, a moment after the order shows it.
    await waitFor(
      'the refund recorded and logged',
      async () => (await processedNow(store, shopper.replica, order.id))?.refundedTime !== undefined && refundLines(order.id).length > 0,
    );
    expect(await processedNow(store, shopper.replica, order.id)).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'shopper',
      cancelReason: 'changed my mind',
      refundedTime: expect.any(String),
    });
    refundedOnce(shopper, order);

    const device = await openReplica({
      app: pouroverDeviceApp,
      url: server.url,
      blessing: signBlessing(loadServerKey(join(dir, 'server-key.pem')), { name: `${shopper.replica}:phone`, ttlSeconds: 600 }),
      name: `refunds-${randomUUID()}`,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
    });
    try {
      await device.awaitInSync();
      const onDevice = await device.collections.processedOrders.findOne(order.id).exec();
      expect(onDevice?.toJSON()).toMatchObject({ status: 'cancelled', refundedTime: expect.any(String) });
    } finally {
      await device.close();
    }
  });

  it('a shopper’s cancel racing the owner’s start preparing ends each order once: cancelled, its place and charge back once, on the server and a device alike', async () => {
    const [shopper] = shoppers as [Shopper];
    const slot = await newSlot(store, 20);
    const orders = await Promise.all(Array.from({ length: 10 }, () => received(shopper, slot)));
    const current = await Promise.all(orders.map((order) => processedNow(store, shopper.replica, order.id)));
    const before = await taken(slot);
    // The owner's move and the shopper's request leave at once, one of them a few ms later by turns: the move's precondition
    // is the received order.
    const delays = fc.sample(fc.integer({ min: 0, max: 8 }), { seed: SEED + 1, numRuns: orders.length });
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const moves = await Promise.all(
      current.map(async (order, index) => {
        const [moveAfter, cancelAfter] = index % 2 === 0 ? [delays[index]!, 0] : [0, delays[index]!];
        const [move] = await Promise.all([
          later(moveAfter).then(() => moveOrder(store, shopper.replica, order!, { status: 'preparing' })),
          later(cancelAfter).then(() => askToCancel(shopper, order!.id)),
        ]);
        return move;
      }),
    );
    await waitFor('every refund recorded and logged', async () => {
      const now = await Promise.all(orders.map((order) => processedNow(store, shopper.replica, order.id)));
      return now.every((order) => order?.refundedTime !== undefined && refundLines(order.id).length > 0);
    });
    const prepared = { first: 0, never: 0 };
    for (const [index, order] of orders.entries()) {
      const final = await processedNow(store, shopper.replica, order.id);
      expect(await answerTo(shopper, order.id)).toMatchObject({ outcome: 'accepted' });
      expect(final).toMatchObject({ status: 'cancelled', cancelledBy: 'shopper' });
      // The move landed first (the order was prepared, then cancelled), or found the order cancelled and changed nothing.
      const steps = final?.steps?.map((step) => step.status);
      if (moves[index]!.ok) {
        expect(steps?.slice(-2)).toEqual(['preparing', 'cancelled']);
        prepared.first += 1;
      } else {
        expect(steps).not.toContain('preparing');
        prepared.never += 1;
      }
      refundedOnce(shopper, order);
    }
    console.info(`cancel racing start preparing: prepared first ${prepared.first}, cancelled first ${prepared.never}`);
    expect(await taken(slot)).toBe(before - orders.length);

    const device = await openReplica({
      app: pouroverDeviceApp,
      url: server.url,
      blessing: signBlessing(loadServerKey(join(dir, 'server-key.pem')), { name: `${shopper.replica}:tablet`, ttlSeconds: 600 }),
      name: `refunds-race-${randomUUID()}`,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
    });
    try {
      await device.awaitInSync();
      for (const order of orders) {
        const onDevice = (await device.collections.processedOrders.findOne(order.id).exec())?.toJSON();
        expect(onDevice).toEqual(expect.objectContaining(await processedNow(store, shopper.replica, order.id)));
      }
    } finally {
      await device.close();
    }
  });

  it('the store cancelling or rejecting an order it is preparing gives the place and the charge back the same way', async () => {
    const [, shopper] = shoppers as [Shopper, Shopper];
    const slot = await newSlot(store, 5);
    const cancelled = await received(shopper, slot);
    const rejected = await received(shopper, slot);
    for (const order of [cancelled, rejected])
      expect((await storeMove(store, shopper.replica, order.id, { status: 'preparing' })).ok).toBe(true);
    expect(await taken(slot)).toBe(2);

    const cancel = await storeMove(store, shopper.replica, cancelled.id, { status: 'cancelled', cancelReason: 'the grinder broke' });
    const reject = await storeMove(store, shopper.replica, rejected.id, { status: 'rejected', rejectReason: 'out of oat milk' });
    expect([cancel.ok, reject.ok]).toEqual([true, true]);
    expect(await taken(slot)).toBe(0);
    await waitFor('both refunds recorded and logged', async () => {
      const orders = await Promise.all([cancelled, rejected].map((order) => processedNow(store, shopper.replica, order.id)));
      return orders.every((order) => order?.refundedTime !== undefined && refundLines(order.id).length > 0);
    });
    expect(await processedNow(store, shopper.replica, cancelled.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'store' });
    expect(await processedNow(store, shopper.replica, rejected.id)).toMatchObject({ status: 'rejected', rejectReason: 'out of oat milk' });
    refundedOnce(shopper, cancelled);
    refundedOnce(shopper, rejected);
  });

  it(
    'cancels racing the processor end each order cancelled with nothing charged net, or received and charged once',
    { timeout: 180_000 },
    async () => {
      const slot = await newSlot(store, 10_000);
      const delays = fc.sample(fc.integer({ min: 0, max: 250 }), { seed: SEED, numRuns: RACING_ORDERS });
      const cancels: Promise<void>[] = [];
      const orders: { shopper: Shopper; order: Order; cancelled: boolean }[] = [];
      for (let i = 0; i < RACING_ORDERS; i += 1) {
        const shopper = shoppers[i % shoppers.length]!;
        const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[i % catalog.length]!, count: 1 }], slot });
        const cancelled = i % 2 === 0;
        orders.push({ shopper, order, cancelled });
        if (cancelled) cancels.push(new Promise((resolve) => setTimeout(resolve, delays[i])).then(() => askToCancel(shopper, order.id)));
      }
      await Promise.all(cancels);
      await waitFor(
        'every order processed and every refund settled',
        () => livePlacedCount(dir, shoppers) === 0 && refundsSettled(dir),
        90_000,
      );

      const tally = { whilePlaced: 0, whilePlacedCharged: 0, afterReceived: 0, received: 0 };
      for (const { shopper, order, cancelled } of orders) {
        const now = await processedNow(store, shopper.replica, order.id);
        const [charge, ...more] = chargeOf(shopper, order.id);
        expect(more).toEqual([]);
        if (!cancelled) {
          expect(now?.status).toBe('received');
          expect(charge).toMatchObject({ status: 'charged', amountCents: order.totalCents, refundedCents: 0, refundKey: null });
          tally.received += 1;
          continue;
        }
        expect(await answerTo(shopper, order.id)).toMatchObject({ outcome: 'accepted' });
        expect(now?.status).toBe('cancelled');
        // Never a refund without a charge; every charge given back.
        if (charge)
          expect(charge).toMatchObject({
            amountCents: order.totalCents,
            refundedCents: order.totalCents,
            refundKey: `refund:${charge.key}`,
          });
        expect(now?.refundedTime !== undefined).toBe(charge !== undefined);
        const wasReceived = now?.steps?.some((step) => step.status === 'received') ?? false;
        if (wasReceived) tally.afterReceived += 1;
        else if (charge) tally.whilePlacedCharged += 1;
        else tally.whilePlaced += 1;
      }
      console.info('cancels racing the processor:', tally);
      // The race was run: some cancels reached orders the processor had not moved yet.
      expect(tally.whilePlaced + tally.whilePlacedCharged).toBeGreaterThan(0);
      expect(tally.received).toBe(RACING_ORDERS / 2);
      expect(await taken(slot)).toBe(RACING_ORDERS / 2);
    },
  );
});
