import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { driverReplica, type CatalogItem, type Delivery, type DeliverySlot, type Order } from '@pourover/schemas';
import { createSyncClient } from '@pourover/sync-client';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceKeys } from '../sync-server/test/support/device-keys.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { availableCatalog, roomySlot } from './support/store-setup.ts';

type Live<T> = T & { _deleted: boolean };
type Client = ReturnType<typeof createSyncClient>;
type Driver = { id: string; replica: string; phone: Client };

/**
 * Deliveries as a driver meets them, on a real server with no processor:
 * the store assigns an order and the driver's replica gets what is needed to
 * deliver it; the driver's marks move the order, once, even when they come
 * late or twice; a cancellation withdraws the delivery; no one else reads it.
 */
describe('a driver’s deliveries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-deliveries-'));
  let server: ServerProcess;
  let store: ReturnType<typeof storeOwnerClient>;
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

  async function pairedDriver(name: string): Promise<Driver> {
    const driver = await store.drivers.create.mutate({ name });
    const { code } = await store.drivers.createPairingCode.mutate({ driverId: driver.id });
    const { publicKey } = await deviceKeys();
    const anonymous = createSyncClient({ url: server.url, token: () => '' });
    const { token } = await anonymous.drivers.signIn.mutate({ code, device: 'phone', publicKey });
    return { id: driver.id, replica: driverReplica(driver.id), phone: createSyncClient({ url: server.url, token: () => token }) };
  }

  const get = async <T>(collection: string, id: string, replica: string): Promise<Live<T> | undefined> => {
    const [document] = (await store.sync.get.query({ collection, ids: [id], replica })).documents;
    return document as Live<T> | undefined;
  };
  const order = async (id: string) => (await get<Order>('processedOrders', id, shopper.replica))!;
  const deliveriesOf = async (driver: Driver) =>
    (await driver.phone.sync.pull.query({ collection: 'deliveries', checkpoint: null, limit: 100 }))
      .documents as unknown as Live<Delivery>[];
  const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined);

  async function move(current: WireDocument, fields: Partial<Order>) {
    return store.sync.batch.mutate({
      replica: shopper.replica,
      operations: [{ collection: 'processedOrders', precondition: { kind: 'equals', state: current }, write: { ...current, ...fields } }],
    });
  }

  /** An order placed, received as the processor does, and moved to ready with `driver` assigned. */
  async function readyFor(driver: Driver): Promise<Live<Order>> {
    const placed = await placeOrder(shopper, { id: randomUUID(), items: [{ item, count: 3 }], slot });
    const current = (await get<Order>('placedOrders', placed.id, shopper.replica))!;
    const received = { ...current, status: 'received' as const, receivedTime: new Date().toISOString() };
    const result = await store.sync.batch.mutate({
      replica: shopper.replica,
      operations: [
        { collection: 'processedOrders', precondition: { kind: 'absent' }, write: received },
        { collection: 'placedOrders', precondition: { kind: 'equals', state: current }, write: { ...received, _deleted: true } },
        { collection: 'availability', increment: { id: slot.id, field: 'taken', by: 1, atMost: 'capacity', before: 'cutoff' } },
      ],
    });
    expect(result).toMatchObject({ ok: true });
    await move(await order(placed.id), { status: 'preparing' });
    expect(await move(await order(placed.id), { status: 'ready', driverId: driver.id })).toMatchObject({ ok: true });
    return order(placed.id);
  }

  const mark = (driver: Driver, delivery: WireDocument, status: Delivery['status'], fields: Partial<Delivery> = {}) =>
    driver.phone.sync.push.mutate({
      collection: 'deliveries',
      rows: [{ assumedMasterState: delivery, newDocumentState: { ...delivery, ...fields, status } }],
    });

  it('gives the driver assigned what delivering needs, and moves the order as the driver marks it picked up and delivered', async () => {
    const dana = await pairedDriver('Dana');
    const ready = await readyFor(dana);
    const [assigned] = await deliveriesOf(dana);
    expect(assigned).toMatchObject({
      id: ready.id,
      orderReplica: shopper.replica,
      customerName: 'Shopper 1',
      address: '1 Main St',
      note: ready.note,
      items: [{ name: item.name, count: 3 }],
      totalCents: ready.totalCents,
      slotStart: slot.start,
      slotEnd: slot.end,
      status: 'assigned',
    });

    const forged = { customerName: 'Mallory', totalCents: 1 };
    expect(await mark(dana, assigned!, 'pickedUp', forged)).toMatchObject({ conflicts: [] });
    expect(await order(ready.id)).toMatchObject({ status: 'outForDelivery', driverId: dana.id });
    const [picked] = await deliveriesOf(dana);
    expect(picked).toMatchObject({ status: 'pickedUp', customerName: 'Shopper 1', totalCents: ready.totalCents });

    expect(await mark(dana, picked!, 'delivered')).toMatchObject({ conflicts: [] });
    const delivered = await order(ready.id);
    expect(delivered.steps?.map((step) => step.status)).toEqual(['received', 'preparing', 'ready', 'outForDelivery', 'delivered']);
    expect((await deliveriesOf(dana))[0]?.steps.map((step) => step.status)).toEqual(['assigned', 'pickedUp', 'delivered']);
  });

  it('counts a delivery confirmed offline once, however late and however often it is sent', async () => {
    const dana = await pairedDriver('Dana in the basement');
    const ready = await readyFor(dana);
    const [assigned] = await deliveriesOf(dana);
    // Marked delivered offline from `assigned`, and sent twice when back online.
    await mark(dana, assigned!, 'delivered');
    const again = await mark(dana, assigned!, 'delivered');
    expect(again.conflicts).toMatchObject([{ id: ready.id, status: 'delivered' }]);
    const final = await order(ready.id);
    expect(final.status).toBe('delivered');
    expect(final.steps?.filter((step) => step.status === 'delivered')).toHaveLength(1);
  });

  it('withdraws the delivery when the order is cancelled, and a mark that arrives after comes back withdrawn with why', async () => {
    const dana = await pairedDriver('Dana, cancelled on');
    const ready = await readyFor(dana);
    const [assigned] = await deliveriesOf(dana);
    expect(await move(ready, { status: 'cancelled', cancelReason: 'the shop ran out of beans' })).toMatchObject({ ok: true });
    const answer = await mark(dana, assigned!, 'delivered');
    expect(answer.conflicts).toMatchObject([
      { id: ready.id, status: 'withdrawn', withdrawnReason: 'the order was cancelled', customerName: '', address: '', note: '', items: [] },
    ]);
    expect(await order(ready.id)).toMatchObject({ status: 'cancelled' });
  });

  it('ends a driver completing while the owner cancels with one outcome', async () => {
    const dana = await pairedDriver('Dana, racing');
    for (let round = 0; round < 5; round += 1) {
      const ready = await readyFor(dana);
      const assigned = (await deliveriesOf(dana)).find((delivery) => delivery.id === ready.id)!;
      const [marked, cancelled] = await Promise.all([
        mark(dana, assigned, 'delivered'),
        move(ready, { status: 'cancelled', cancelReason: 'closing early' }),
      ]);
      const final = await order(ready.id);
      const delivery = (await deliveriesOf(dana)).find((entry) => entry.id === ready.id)!;
      if (cancelled.ok) {
        expect(final.status).toBe('cancelled');
        expect(delivery.status).toBe('withdrawn');
        expect(marked.conflicts).toMatchObject([{ id: ready.id }]);
      } else {
        expect(final.status).toBe('delivered');
        expect(delivery.status).toBe('delivered');
      }
    }
  });

  it('moves a delivery given to another driver, and lets no one else read it', async () => {
    const dana = await pairedDriver('Dana, replaced');
    const eli = await pairedDriver('Eli');
    const ready = await readyFor(dana);
    expect(await move(ready, { driverId: eli.id })).toMatchObject({ ok: true });
    expect((await deliveriesOf(dana)).find((entry) => entry.id === ready.id)).toMatchObject({
      status: 'withdrawn',
      withdrawnReason: 'the order was given to another driver',
    });
    expect((await deliveriesOf(eli)).find((entry) => entry.id === ready.id)).toMatchObject({
      status: 'assigned',
      customerName: 'Shopper 1',
    });

    // Dana reads none of Eli's deliveries, the shopper none at all, and a driver makes no delivery of its own.
    const danaReadsEli = await dana.phone.sync.get
      .query({ collection: 'deliveries', ids: [ready.id], replica: eli.replica })
      .catch((e) => e);
    expect(codeOf(danaReadsEli)).toBe('FORBIDDEN');
    const shopperReads = await shopper.client.sync.pull.query({ collection: 'deliveries', checkpoint: null, limit: 10 }).catch((e) => e);
    expect(codeOf(shopperReads)).toBe('FORBIDDEN');
    const made = await dana.phone.sync.push.mutate({
      collection: 'deliveries',
      rows: [
        {
          assumedMasterState: null,
          newDocumentState: {
            id: randomUUID(),
            orderReplica: shopper.replica,
            customerName: 'x',
            address: 'x',
            note: '',
            items: [],
            totalCents: 0,
            slotStart: null,
            slotEnd: null,
            status: 'delivered',
            steps: [],
            _deleted: false,
          },
        },
      ],
    });
    expect(made.conflicts).toMatchObject([{ _deleted: true }]);
    expect((await deliveriesOf(dana)).map((entry) => entry.id)).toEqual([ready.id]);
  });

  it('never takes another shopper’s order for one of the same id on a driver’s route', async () => {
    const dana = await pairedDriver('Dana, collided with');
    const ready = await readyFor(dana);
    const mallory = await createShopper(server, 2, 'tok_visa');
    await placeOrder(mallory, { id: ready.id, items: [{ item, count: 1 }], slot });
    const placed = (await get<Order>('placedOrders', ready.id, mallory.replica))!;
    const received = { ...placed, status: 'received' as const, receivedTime: new Date().toISOString() };
    await store.sync.batch.mutate({
      replica: mallory.replica,
      operations: [
        { collection: 'processedOrders', precondition: { kind: 'absent' }, write: received },
        { collection: 'placedOrders', precondition: { kind: 'equals', state: placed }, write: { ...received, _deleted: true } },
        { collection: 'availability', increment: { id: slot.id, field: 'taken', by: 1, atMost: 'capacity', before: 'cutoff' } },
      ],
    });
    const theirs = (await get<Order>('processedOrders', ready.id, mallory.replica))!;
    const assigning = store.sync.batch.mutate({
      replica: mallory.replica,
      operations: [
        { collection: 'processedOrders', precondition: { kind: 'equals', state: theirs }, write: { ...theirs, driverId: dana.id } },
      ],
    });
    await expect(assigning).rejects.toThrow(/another delivery under this order’s id/);
    expect((await deliveriesOf(dana)).find((entry) => entry.id === ready.id)).toMatchObject({
      orderReplica: shopper.replica,
      status: 'assigned',
      customerName: 'Shopper 1',
    });
  });
});
