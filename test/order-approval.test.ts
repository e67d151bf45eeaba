import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem, DeliverySlot, Order, StoreSettings } from '@pourover/schemas';
import { TRPCClientError } from '@trpc/client';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerTo, askToCancel, processedNow, storeMove } from './support/fulfilment.ts';
import { ledgerCharges } from './support/ledger.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { auditStore, refundsSettled } from './support/store-audit.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { availableCatalog, newSlot as newStoreSlot, openSlots } from './support/store-setup.ts';
import { waitFor } from './support/wait-for.ts';

const SEED = 20261205;
const NOT_APPROVED = 'the store did not approve the order in time';

const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The store's optional approval step with the real server and the real
 * processor: an order above the store's threshold is charged, takes its slot
 * place and waits for the owner; approved it goes on, rejected (by the owner
 * or by its wait running out, even across a processor killed meanwhile) it
 * gives the place and the charge back once.
 */
describe('orders held for the owner’s approval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-approval-'));
  let server: ServerProcess;
  let processor: ProcessorProcess;
  let store: ReturnType<typeof storeOwnerClient>;
  let catalog: CatalogItem[];
  let shoppers: Shopper[];
  let template: DeliverySlot;
  /** The threshold the tests set: the cheapest item's price, so one of it stays at it and two go above. */
  let threshold: number;
  let cheapest: CatalogItem;

  beforeAll(async () => {
    server = await startServerProcess(dir);
    processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
    store = storeOwnerClient(server);
    catalog = await availableCatalog(store);
    cheapest = catalog.reduce((least, item) => (item.priceCents < least.priceCents ? item : least));
    threshold = cheapest.priceCents;
    const [open] = await openSlots(store);
    if (!open) throw new Error('no open slot');
    template = open;
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

  async function settingsNow(): Promise<StoreSettings | undefined> {
    const [stored] = (await store.sync.get.query({ collection: 'storeSettings', ids: ['store'] })).documents;
    if (!stored || stored._deleted) return undefined;
    const { _deleted, ...settings } = stored;
    return settings as unknown as StoreSettings;
  }

  /** The owner saves the approval setting, over the one the server holds. */
  async function setApproval(approvalAboveCents: number | null, approvalMinutes: number) {
    const before = await settingsNow();
    const settings: StoreSettings = { id: 'store', approvalAboveCents, approvalMinutes };
    const { conflicts } = await store.sync.push.mutate({
      collection: 'storeSettings',
      rows: [{ assumedMasterState: before ? { ...before, _deleted: false } : null, newDocumentState: { ...settings, _deleted: false } }],
    });
    expect(conflicts).toEqual([]);
  }

  /** A slot of the test's own, a copy of the open one found first, so its places can be counted. */
  const newSlot = (capacity: number) => newStoreSlot(store, capacity, template);

  const taken = async (slot: DeliverySlot) =>
    ((await store.sync.get.query({ collection: 'availability', ids: [slot.id] })).documents[0] as unknown as DeliverySlot).taken;

  /** An order of `count` of the cheapest item: two or more cost more than the threshold, one does not. */
  async function placed(shopper: Shopper, slot: DeliverySlot, count = 2): Promise<Order> {
    return placeOrder(shopper, { id: randomUUID(), items: [{ item: cheapest, count }], slot });
  }

  async function reaching(shopper: Shopper, order: Order, status: Order['status'], timeoutMs = 20_000): Promise<Order> {
    let now: Order | undefined;
    await waitFor(
      `order ${order.id} ${status}`,
      async () => (now = await processedNow(store, shopper.replica, order.id))?.status === status,
      timeoutMs,
    );
    return now!;
  }

  const chargesOf = (shopper: Shopper, id: string) => ledgerCharges(dir).filter((charge) => charge.key === `${shopper.replica}/${id}`);
  const refundLines = (id: string) => processor.lines.filter((line) => line['order'] === id && line['refund'] === 'refunded');

  function chargedOnce(shopper: Shopper, order: Order, refunded: boolean) {
    const key = `${shopper.replica}/${order.id}`;
    expect(chargesOf(shopper, order.id)).toEqual([
      {
        key,
        status: 'charged',
        amountCents: order.totalCents,
        paymentToken: expect.any(String),
        refundedCents: refunded ? order.totalCents : 0,
        refundKey: refunded ? `refund:${key}` : null,
      },
    ]);
  }

  it('an order above the threshold waits, charged and holding its place; the owner approves it and it goes on to received', async () => {
    const [shopper] = shoppers as [Shopper];
    await setApproval(threshold, 30);
    const slot = await newSlot(5);
    const large = await placed(shopper, slot);
    const small = await placed(shopper, slot, 1);
    expect(large.totalCents).toBeGreaterThan(threshold);
    expect(small.totalCents).toBeLessThanOrEqual(threshold);

    const waiting = await reaching(shopper, large, 'awaitingApproval');
    await reaching(shopper, small, 'received');
    const [step] = waiting.steps ?? [];
    expect(step?.status).toBe('awaitingApproval');
    expect(Date.parse(waiting.approveBy ?? '') - Date.parse(step?.at ?? '')).toBe(30 * 60_000);
    chargedOnce(shopper, large, false);
    expect(await taken(slot)).toBe(2);
    // The store's board moves only from a waiting order's own state: preparing comes after approval.
    await expect(storeMove(store, shopper.replica, large.id, { status: 'preparing' })).rejects.toThrow(/cannot become preparing/);

    expect((await storeMove(store, shopper.replica, large.id, { status: 'received' })).ok).toBe(true);
    const approved = await processedNow(store, shopper.replica, large.id);
    expect(approved?.steps?.map((each) => each.status)).toEqual(['awaitingApproval', 'received']);
    expect((await storeMove(store, shopper.replica, large.id, { status: 'preparing' })).ok).toBe(true);
    chargedOnce(shopper, large, false);
    expect(await taken(slot)).toBe(2);
  });

  it('an order waits no longer than its slot’s start, even when the setting allows longer', async () => {
    const [, , shopper] = shoppers as [Shopper, Shopper, Shopper];
    await setApproval(threshold, 30);
    const start = new Date(Date.now() + 10 * 60_000).toISOString();
    const soon = { ...template, start, cutoff: new Date(Date.now() + 5 * 60_000).toISOString() };
    const slot = await newStoreSlot(store, 5, soon);
    const order = await placed(shopper, slot);
    const waiting = await reaching(shopper, order, 'awaitingApproval');
    expect(waiting.approveBy).toBe(start);
    expect((await storeMove(store, shopper.replica, order.id, { status: 'received' })).ok).toBe(true);
  });

  it('is rejected as not approved in time only once its wait is over by the server’s clock; the owner’s own rejection any time', async () => {
    const [, , shopper] = shoppers as [Shopper, Shopper, Shopper];
    await setApproval(threshold, 30);
    const slot = await newSlot(5);
    const order = await placed(shopper, slot);
    await reaching(shopper, order, 'awaitingApproval');
    // A processor whose clock ran 30 minutes ahead would send this now.
    for (const rejectReason of [NOT_APPROVED, `  ${NOT_APPROVED} `])
      await expect(storeMove(store, shopper.replica, order.id, { status: 'rejected', rejectReason })).rejects.toThrow(/not yet too late/);
    expect((await processedNow(store, shopper.replica, order.id))?.status).toBe('awaitingApproval');
    expect(await taken(slot)).toBe(1);
    const ownersAnswer = { status: 'rejected' as const, rejectReason: 'closed for a private event' };
    expect((await storeMove(store, shopper.replica, order.id, ownersAnswer)).ok).toBe(true);
    expect(await taken(slot)).toBe(0);
  });

  it('an order the owner rejects, or its shopper cancels, while it waits gives its place back at once and its charge back once', async () => {
    const [, shopper] = shoppers as [Shopper, Shopper];
    await setApproval(threshold, 30);
    const slot = await newSlot(5);
    const rejected = await placed(shopper, slot);
    const cancelled = await placed(shopper, slot);
    await reaching(shopper, rejected, 'awaitingApproval');
    await reaching(shopper, cancelled, 'awaitingApproval');
    expect(await taken(slot)).toBe(2);

    await expect(storeMove(store, shopper.replica, rejected.id, { status: 'rejected', rejectReason: '  ' })).rejects.toThrow(
      /needs a reason/,
    );
    expect((await storeMove(store, shopper.replica, rejected.id, { status: 'rejected', rejectReason: 'too large for today' })).ok).toBe(
      true,
    );
    await askToCancel(shopper, cancelled.id, 'ordered too much');
    expect(await answerTo(shopper, cancelled.id)).toMatchObject({ outcome: 'accepted' });
    expect(await taken(slot)).toBe(0);

    await waitFor('both refunds recorded', async () => {
      const orders = await Promise.all([rejected, cancelled].map((order) => processedNow(store, shopper.replica, order.id)));
      return orders.every((order) => order?.refundedTime !== undefined);
    });
    expect(await processedNow(store, shopper.replica, rejected.id)).toMatchObject({
      status: 'rejected',
      rejectReason: 'too large for today',
    });
    expect(await processedNow(store, shopper.replica, cancelled.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'shopper' });
    await waitFor('the processor to log both refunds', () => refundLines(rejected.id).length > 0 && refundLines(cancelled.id).length > 0);
    for (const order of [rejected, cancelled]) {
      chargedOnce(shopper, order, true);
      expect(refundLines(order.id)).toHaveLength(1);
    }
  });

  it(
    'the wait survives the processor: killed while an order waits, restarted after its time ran out, it rejects and refunds it once',
    { timeout: 150_000 },
    async () => {
      const [shopper] = shoppers as [Shopper];
      await setApproval(threshold, 1);
      const slot = await newSlot(5);
      const order = await placed(shopper, slot);
      const waiting = await reaching(shopper, order, 'awaitingApproval');
      expect(await taken(slot)).toBe(1);

      await processor.kill();
      // The wait runs out with no processor at all: nothing rejects the order until one runs again.
      await sleep(Math.max(0, Date.parse(waiting.approveBy ?? '') - Date.now()) + 2_000);
      expect((await processedNow(store, shopper.replica, order.id))?.status).toBe('awaitingApproval');
      // Nor may the owner approve it once its time ran out: the server holds the deadline the shopper was shown.
      await expect(storeMove(store, shopper.replica, order.id, { status: 'received' })).rejects.toThrow(/too late to approve it/);
      expect((await processedNow(store, shopper.replica, order.id))?.status).toBe('awaitingApproval');

      processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
      const rejected = await reaching(shopper, order, 'rejected', 30_000);
      expect(rejected.rejectReason).toBe(NOT_APPROVED);
      expect(await taken(slot)).toBe(0);
      await waitFor('the refund recorded', async () => (await processedNow(store, shopper.replica, order.id))?.refundedTime !== undefined);
      chargedOnce(shopper, order, true);
      // The processor logs after each commit it makes: its lines may come a moment after the order shows the commit.
      const timedOut = () => processor.lines.filter((line) => line['order'] === order.id && line['approval'] === 'timedOut');
      await waitFor('the processor to log the timeout and the refund', () => timedOut().length > 0 && refundLines(order.id).length > 0);
      expect(refundLines(order.id)).toHaveLength(1);
      expect(timedOut()).toHaveLength(1);
    },
  );

  it(
    'an approval racing the timeout ends each order once: received and charged, or rejected and refunded, on the server and in the ledger',
    { timeout: 150_000 },
    async () => {
      await setApproval(threshold, 1);
      const slot = await newSlot(100);
      const orders = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const shopper = shoppers[i % shoppers.length]!;
          return { shopper, order: await placed(shopper, slot) };
        }),
      );
      const waiting = await Promise.all(orders.map(({ shopper, order }) => reaching(shopper, order, 'awaitingApproval')));
      // Each approval lands within a few hundred milliseconds either side of its order's deadline.
      const offsets = fc.sample(fc.integer({ min: -400, max: 400 }), { seed: SEED, numRuns: orders.length });
      const approvals = await Promise.all(
        orders.map(async ({ shopper, order }, i) => {
          await sleep(Math.max(0, Date.parse(waiting[i]!.approveBy ?? '') - Date.now() + offsets[i]!));
          return storeMove(store, shopper.replica, order.id, { status: 'received' }).catch(() => ({ ok: false }));
        }),
      );
      await waitFor('every order answered', async () => {
        const now = await Promise.all(orders.map(({ shopper, order }) => processedNow(store, shopper.replica, order.id)));
        return now.every((each) => each?.status !== 'awaitingApproval');
      });
      await waitFor('every refund settled', () => refundsSettled(dir), 30_000);

      const tally = { approved: 0, timedOut: 0 };
      for (const [i, { shopper, order }] of orders.entries()) {
        const now = await processedNow(store, shopper.replica, order.id);
        if (approvals[i]!.ok) {
          expect(now?.status).toBe('received');
          chargedOnce(shopper, order, false);
          tally.approved += 1;
        } else {
          expect(now).toMatchObject({ status: 'rejected', rejectReason: NOT_APPROVED, refundedTime: expect.any(String) });
          chargedOnce(shopper, order, true);
          tally.timedOut += 1;
        }
      }
      console.info('approvals racing the timeout:', tally);
      expect(await taken(slot)).toBe(tally.approved);
    },
  );

  it('no shopper approves their own order or touches the setting, and the owner’s setting is checked: each refused with a typed error', async () => {
    const [shopper] = shoppers as [Shopper];
    await setApproval(threshold, 30);
    const slot = await newSlot(5);
    const order = await placed(shopper, slot);
    const waiting = await reaching(shopper, order, 'awaitingApproval');

    const approveOwn = shopper.client.sync.batch.mutate({
      replica: shopper.replica,
      operations: [
        {
          collection: 'processedOrders',
          precondition: { kind: 'equals', state: { ...waiting, _deleted: false } },
          write: { ...waiting, status: 'received', _deleted: false },
        },
      ],
    });
    expect(codeOf(await approveOwn.catch((error: unknown) => error))).toBe('FORBIDDEN');
    const editSetting = shopper.client.sync.push.mutate({
      collection: 'storeSettings',
      rows: [
        { assumedMasterState: null, newDocumentState: { id: 'store', approvalAboveCents: null, approvalMinutes: 30, _deleted: false } },
      ],
    });
    expect(codeOf(await editSetting.catch((error: unknown) => error))).toBe('FORBIDDEN');
    const readSetting = shopper.client.sync.pull.query({ collection: 'storeSettings', checkpoint: null, limit: 10 });
    expect(codeOf(await readSetting.catch((error: unknown) => error))).toBe('FORBIDDEN');
    // A waiting order is not the store's to take in again, nor to put back to waiting once approved.
    const rewait = storeMove(store, shopper.replica, order.id, { approveBy: new Date(Date.now() + 86_400_000).toISOString() });
    expect(codeOf(await rewait.catch((error: unknown) => error))).toBe('BAD_INPUT');

    const before = await settingsNow();
    for (const bad of [
      { id: 'store', approvalAboveCents: -1, approvalMinutes: 30 },
      { id: 'store', approvalAboveCents: 500, approvalMinutes: 0 },
      { id: 'store', approvalAboveCents: 500, approvalMinutes: 10_000 },
      { id: 'store', approvalAboveCents: 12.5, approvalMinutes: 30 },
      { id: 'other', approvalAboveCents: 500, approvalMinutes: 30 },
    ]) {
      const push = store.sync.push.mutate({
        collection: 'storeSettings',
        rows: [{ assumedMasterState: before ? { ...before, _deleted: false } : null, newDocumentState: { ...bad, _deleted: false } }],
      });
      expect(codeOf(await push.catch((error: unknown) => error)), JSON.stringify(bad)).toBe('BAD_INPUT');
    }
    expect(await settingsNow()).toEqual(before);
    expect((await processedNow(store, shopper.replica, order.id))?.status).toBe('awaitingApproval');
    expect((await storeMove(store, shopper.replica, order.id, { status: 'rejected', rejectReason: 'test over' })).ok).toBe(true);
  });
});
