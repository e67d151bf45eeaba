import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import type { CatalogItem, DeliverySlot, Order, OrderRequest } from '@pourover/schemas';
import { TRPCClientError } from '@trpc/client';
import { createSyncClient } from '@pourover/sync-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceKeys } from '../sync-server/test/support/device-keys.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { availableCatalog, roomySlot } from './support/store-setup.ts';

type Live<T> = T & { _deleted: boolean };
type StoreClient = ReturnType<typeof storeOwnerClient>;

/**
 * The fulfilment rules as the server holds them, with no processor running:
 * the store's moves of processed orders (batches reviewed against the state
 * they leave) and the shopper's cancellation requests, answered on arrival.
 */
describe('an order’s fulfilment, held by the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-fulfilment-'));
  let server: ServerProcess;
  let store: StoreClient;
  let item: CatalogItem;
  let slot: DeliverySlot;
  let shopper: Shopper;

  beforeAll(async () => {
    server = await startServerProcess(dir);
    store = storeOwnerClient(server);
    [item] = (await availableCatalog(store)) as [CatalogItem];
    slot = await roomySlot(store);
    shopper = await createShopper(server, 1, 'tok_visa');
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async <T>(collection: string, id: string, replica = shopper.replica): Promise<Live<T> | undefined> => {
    const [document] = (await store.sync.get.query({ collection, ids: [id], replica })).documents;
    return document as Live<T> | undefined;
  };
  const order = async (id: string) => (await get<Order>('processedOrders', id))!;
  const taken = async () => (await get<DeliverySlot>('availability', slot.id, 'bluebottle'))!.taken;
  const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined);

  /** Places an order and receives it as the processor does: moved to processed orders with a place taken in its slot. */
  async function received(): Promise<Live<Order>> {
    const placed = await placeOrder(shopper, { id: randomUUID(), items: [{ item, count: 2 }], slot });
    const current = (await get<Order>('placedOrders', placed.id))!;
    const next = { ...current, status: 'received' as const, receivedTime: new Date().toISOString() };
    const result = await store.sync.batch.mutate({
      replica: shopper.replica,
      operations: [
        { collection: 'processedOrders', precondition: { kind: 'absent' }, write: next },
        { collection: 'placedOrders', precondition: { kind: 'equals', state: current }, write: { ...next, _deleted: true } },
        { collection: 'availability', increment: { id: slot.id, field: 'taken', by: 1, atMost: 'capacity', before: 'cutoff' } },
      ],
    });
    expect(result).toMatchObject({ ok: true });
    return order(placed.id);
  }

  const move = (current: WireDocument, fields: Partial<Order>) =>
    store.sync.batch.mutate({
      replica: shopper.replica,
      operations: [{ collection: 'processedOrders', precondition: { kind: 'equals', state: current }, write: { ...current, ...fields } }],
    });

  const ask = async (orderId: string, fields: Partial<OrderRequest> = {}, assumed: WireDocument | null = null) => {
    const answer = await shopper.client.sync.push.mutate({
      collection: 'orderRequests',
      rows: [{ assumedMasterState: assumed, newDocumentState: { id: orderId, kind: 'cancel', ...fields, _deleted: false } }],
    });
    return { answer, request: (await get<OrderRequest>('orderRequests', orderId))! };
  };

  it('moves an order received → preparing → ready → out for delivery → delivered, each step stamped by the server’s clock', async () => {
    const start = new Date().toISOString();
    let current = await received();
    const forged = [{ status: 'delivered' as const, at: '2001-01-01T00:00:00.000Z' }];
    for (const fields of [
      { status: 'preparing' as const, steps: forged },
      { status: 'ready' as const },
      { status: 'ready' as const, driverId: 'driver-1' },
      { status: 'outForDelivery' as const },
      { status: 'delivered' as const },
    ]) {
      expect(await move(current, fields)).toMatchObject({ ok: true });
      current = await order(current.id);
    }
    expect(current).toMatchObject({ status: 'delivered', driverId: 'driver-1', totalCents: item.priceCents * 2 });
    expect(current.steps?.map((step) => step.status)).toEqual(['received', 'preparing', 'ready', 'outForDelivery', 'delivered']);
    for (const step of current.steps ?? []) expect(step.at >= start && step.at <= new Date().toISOString()).toBe(true);
  });

  it('refuses, with a sentence and changing nothing, every move the rules do not allow', async () => {
    const current = await received();
    const takenBefore = await taken();
    const refusals: [Partial<Order>, RegExp][] = [
      [{ status: 'delivered' }, /cannot become delivered/],
      [{ status: 'preparing', totalCents: 1 }, /changes more/],
      [{ status: 'preparing', lines: [] }, /changes more/],
      [{ status: 'cancelled' }, /needs a reason/],
      [{ status: 'rejected', rejectReason: '   ' }, /needs a reason/],
      [{ refundedTime: new Date().toISOString() }, /only a cancelled or rejected order is refunded/],
      [{ cancelReason: 'no move' }, /reason is given with the move/],
    ];
    for (const [fields, message] of refusals) {
      const attempt = move(current, fields);
      await expect(attempt, JSON.stringify(fields)).rejects.toThrow(message);
      expect(codeOf(await attempt.catch((error: unknown) => error))).toBe('BAD_INPUT');
    }
    await expect(
      store.sync.batch.mutate({
        replica: shopper.replica,
        operations: [{ collection: 'processedOrders', write: { ...current, status: 'preparing' } }],
      }),
    ).rejects.toThrow(/must name the state it leaves/);
    const ready = await move(current, { status: 'preparing' }).then(async () => {
      await move(await order(current.id), { status: 'ready' });
      return order(current.id);
    });
    await expect(move(ready, { status: 'outForDelivery' })).rejects.toThrow(/with a driver assigned/);
    expect(await order(current.id)).toEqual(ready);
    expect(await taken()).toBe(takenBefore);
  });

  it('gives the slot place back in the same commit as a cancellation, once; the refund is recorded once', async () => {
    const current = await received();
    const before = await taken();
    expect(await move(current, { status: 'cancelled', cancelReason: 'out of oat milk' })).toMatchObject({ ok: true });
    expect(await taken()).toBe(before - 1);
    // A second owner's device, acting on the state it saw, is refused by its precondition: nothing given back twice.
    expect(await move(current, { status: 'rejected', rejectReason: 'closing early' })).toMatchObject({ ok: false, reason: 'precondition' });
    expect(await taken()).toBe(before - 1);
    const cancelled = await order(current.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'out of oat milk', cancelledBy: 'store' });
    await expect(move(cancelled, { status: 'preparing' })).rejects.toThrow(/cannot become preparing/);

    const claimed = '2001-01-01T00:00:00.000Z';
    expect(await move(cancelled, { refundedTime: claimed })).toMatchObject({ ok: true });
    const refunded = await order(current.id);
    expect(refunded.refundedTime).not.toBe(claimed);
    await expect(move(refunded, { refundedTime: new Date().toISOString() })).rejects.toThrow(/recorded once/);
  });

  it('ends two owners’ devices moving one order at once with one outcome, and the slot’s places agree', async () => {
    const orders = await Promise.all(Array.from({ length: 6 }, () => received()));
    const before = await taken();
    const results = await Promise.all(
      orders.map((current) =>
        Promise.all([move(current, { status: 'preparing' }), move(current, { status: 'cancelled', cancelReason: 'duplicate order' })]),
      ),
    );
    let cancelled = 0;
    for (const [index, [preparing, cancelling]] of results.entries()) {
      expect([preparing.ok, cancelling.ok].filter(Boolean)).toHaveLength(1);
      const final = await order(orders[index]!.id);
      expect(final.status).toBe(preparing.ok ? 'preparing' : 'cancelled');
      if (cancelling.ok) cancelled += 1;
    }
    expect(await taken()).toBe(before - cancelled);
  });

  it('answers a shopper’s cancellation on arrival: a placed order is cancelled before any charge, a received one with its place given back', async () => {
    const placed = await placeOrder(shopper, { id: randomUUID(), items: [{ item, count: 1 }], slot });
    const before = await taken();
    const { request } = await ask(placed.id, { reason: 'ordered twice' });
    expect(request.answer).toMatchObject({ outcome: 'accepted' });
    expect(await get('placedOrders', placed.id)).toMatchObject({ _deleted: true });
    expect(await order(placed.id)).toMatchObject({ status: 'cancelled', cancelReason: 'ordered twice', cancelledBy: 'shopper' });
    expect(await taken()).toBe(before);

    const current = await received();
    const { request: second } = await ask(current.id);
    expect(second.answer).toMatchObject({ outcome: 'accepted' });
    expect(await order(current.id)).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'shopper',
      cancelReason: expect.stringMatching(/shopper/),
    });
    expect(await taken()).toBe(before);
    // Accepted is final: the same request pushed again changes nothing and the server's state comes back.
    const again = await ask(current.id, { reason: 'again' }, second);
    expect(again.answer.conflicts).toMatchObject([{ id: current.id, answer: { outcome: 'accepted' } }]);
    expect(again.request).toEqual(second);
  });

  it('refuses a cancellation that arrives too late, with why, and lets the shopper ask again while it is still possible', async () => {
    let current = await received();
    for (const fields of [
      { status: 'preparing' as const },
      { status: 'ready' as const, driverId: 'driver-2' },
      { status: 'outForDelivery' as const },
    ]) {
      await move(current, fields);
      current = await order(current.id);
    }
    const before = await taken();
    const forgedAnswer = { outcome: 'accepted' as const, reason: 'forged by the device', at: '2001-01-01T00:00:00.000Z' };
    const { request } = await ask(current.id, { answer: forgedAnswer });
    expect(request.answer).toMatchObject({ outcome: 'refused', reason: 'the order is already out for delivery' });
    expect(request.answer?.at).not.toBe(forgedAnswer.at);
    expect(await order(current.id)).toEqual(current);
    expect(await taken()).toBe(before);

    const unknown = randomUUID();
    expect((await ask(unknown)).request.answer).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/no order/) });
    // Refused, a request may be asked again: once the order exists and may still be cancelled, it is.
    const placed = await placeOrder(shopper, { id: randomUUID(), items: [{ item, count: 1 }], slot });
    const refused = await ask(placed.id);
    expect(refused.request.answer?.outcome).toBe('accepted');
  });

  it('ends a shopper’s cancellation racing the store’s moves with one outcome that the order, the answer and the slot agree on', async () => {
    const orders = await Promise.all(Array.from({ length: 6 }, () => received()));
    const ready = await Promise.all(
      orders.map(async (current) => {
        await move(current, { status: 'preparing' });
        await move(await order(current.id), { status: 'ready', driverId: 'driver-3' });
        return order(current.id);
      }),
    );
    const before = await taken();
    const races = await Promise.all(ready.map((current) => Promise.all([move(current, { status: 'outForDelivery' }), ask(current.id)])));
    let cancelled = 0;
    for (const [index, [out]] of races.entries()) {
      const final = await order(ready[index]!.id);
      const request = (await get<OrderRequest>('orderRequests', final.id))!;
      if (out.ok) {
        expect(final.status).toBe('outForDelivery');
        expect(request.answer).toMatchObject({ outcome: 'refused', reason: 'the order is already out for delivery' });
      } else {
        expect(final).toMatchObject({ status: 'cancelled', cancelledBy: 'shopper' });
        expect(request.answer?.outcome).toBe('accepted');
        cancelled += 1;
      }
    }
    expect(await taken()).toBe(before - cancelled);
  });

  it('lets an owner’s device move orders, but never change or take in a placed one nor record a refund: those are the order processor’s', async () => {
    const { publicKey } = await deviceKeys();
    const anonymous = createSyncClient({ url: server.url, token: () => '' });
    const { token } = await anonymous.auth.storeSignIn.mutate({ code: await server.newOwnerCode(), device: 'Till', publicKey });
    const till = createSyncClient({ url: server.url, token: () => token });
    const tillMove = (current: WireDocument, fields: Partial<Order>) =>
      till.sync.batch.mutate({
        replica: shopper.replica,
        operations: [{ collection: 'processedOrders', precondition: { kind: 'equals', state: current }, write: { ...current, ...fields } }],
      });
    const current = await received();
    const invented = { ...current, id: randomUUID() };
    const created = till.sync.batch.mutate({
      replica: shopper.replica,
      operations: [{ collection: 'processedOrders', precondition: { kind: 'absent' }, write: invented }],
    });
    expect(codeOf(await created.catch((error: unknown) => error))).toBe('FORBIDDEN');
    expect(await get('processedOrders', invented.id)).toBeUndefined();

    // A placed order waits for its charge: the till may neither reprice it nor take it out of placed orders.
    const placed = await placeOrder(shopper, { id: randomUUID(), items: [{ item, count: 1 }], slot });
    const waiting = (await get<Order>('placedOrders', placed.id))!;
    for (const write of [
      { ...waiting, totalCents: 1 },
      { ...waiting, _deleted: true },
    ]) {
      const changed = till.sync.batch.mutate({
        replica: shopper.replica,
        operations: [{ collection: 'placedOrders', precondition: { kind: 'equals', state: waiting }, write }],
      });
      expect(codeOf(await changed.catch((error: unknown) => error))).toBe('FORBIDDEN');
    }
    expect(await get('placedOrders', placed.id)).toEqual(waiting);

    expect(await tillMove(current, { status: 'cancelled', cancelReason: 'burnt the beans' })).toMatchObject({ ok: true });
    const cancelled = await order(current.id);
    const recorded = tillMove(cancelled, { refundedTime: new Date().toISOString() });
    expect(codeOf(await recorded.catch((error: unknown) => error))).toBe('FORBIDDEN');
    expect((await order(current.id)).refundedTime).toBeUndefined();
  });

  it('keeps the driver of an order that left the store, ends an order whose slot counts no place, and answers a refusal asked again once', async () => {
    let current = await received();
    for (const fields of [
      { status: 'preparing' as const },
      { status: 'ready' as const, driverId: 'driver-4' },
      { status: 'outForDelivery' as const },
    ]) {
      await move(current, fields);
      current = await order(current.id);
    }
    await expect(move(current, { status: 'delivered', driverId: 'driver-5' })).rejects.toThrow(/before the order leaves the store/);

    const slotNow = (await get<DeliverySlot>('availability', slot.id, 'bluebottle'))!;
    await store.sync.push.mutate({
      collection: 'availability',
      rows: [{ assumedMasterState: slotNow, newDocumentState: { ...slotNow, taken: 0 } }],
    });
    expect(await move(current, { status: 'cancelled', cancelReason: 'the van broke down' })).toMatchObject({ ok: true });
    expect(await taken()).toBe(0);

    const { request } = await ask(current.id);
    expect(request.answer).toMatchObject({ outcome: 'refused', reason: 'the order was already cancelled' });
    const again = await ask(current.id, {}, request);
    expect(again.answer.conflicts).toMatchObject([{ id: current.id, answer: request.answer }]);
    expect(again.request).toEqual(request);
    const slotAfter = (await get<DeliverySlot>('availability', slot.id, 'bluebottle'))!;
    await store.sync.push.mutate({
      collection: 'availability',
      rows: [{ assumedMasterState: slotAfter, newDocumentState: { ...slotAfter, taken: slotNow.taken - 1 } }],
    });
  });
});
