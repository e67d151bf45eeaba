import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderView } from '@pourover/orders';
import { PouroverError } from '@pourover/protocol';
import type { OrderStatus } from '@pourover/schemas';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlot } from './support/open-slot.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { closeShopDevice, openShopDevice, orderIn, until, type ShopDevice } from './support/shops.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { moveOrder, serverOrder } from './support/fulfilment.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const DRIVER = 'dana';

/** Whether the server holds a request about this order yet. */
function serverHasRequest(dataDir: string, id: string): boolean {
  const file = readServerFile(dataDir);
  const found = file.documents(REPLICA, 'orderRequests').some((row) => row.id === id);
  file.close();
  return found;
}

describe('a shopper cancelling an order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-cancel-'));
  let server: ServerProcess;
  let processor: ProcessorProcess;

  beforeAll(async () => {
    server = await startServerProcess(dir);
    processor = startProcessorProcess(server);
  });
  afterAll(async () => {
    await processor.kill();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A new order of one item placed from the device and received by the processor; its view and its slot's places taken before it. */
  async function receivedOrder(device: ShopDevice): Promise<{ order: OrderView; takenBefore: number }> {
    const [item] = await until(device.shop.catalog$, 'the catalog', (list) => list.length > 0);
    const slot = await openSlot(device.shop);
    const id = await device.shop.createDraft({ slotId: slot.id });
    await device.shop.addItem(id, item!.id);
    await device.shop.place(id);
    const orders = await until(device.shop.orders$, 'the order received', (list) => orderIn(list, id)?.status === 'received');
    return { order: orderIn(orders, id)!, takenBefore: slot.taken };
  }

  const slotTaken = async (device: ShopDevice, slotId: string) =>
    (await firstValueFrom(device.shop.slots$)).find((slot) => slot.id === slotId)?.taken;

  it('asked offline, is sent once the device is back online, and the order ends cancelled with its slot place given back', async () => {
    const device = await openShopDevice(server, 'phone');
    const { order, takenBefore } = await receivedOrder(device);
    await until(device.shop.slots$, 'the place taken', (slots) =>
      slots.some((s) => s.id === order.slot?.id && s.taken === takenBefore + 1),
    );

    await expect(device.shop.requestCancel(order.id, 'x'.repeat(501))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(await device.shop.replica.collections.orderRequests.findOne(order.id).exec()).toBeNull();

    device.link.unplug();
    await device.shop.requestCancel(order.id, '  plans changed  ');
    const waiting = await until(
      device.shop.orders$,
      'the request on the device',
      (list) => orderIn(list, order.id)?.cancelRequest !== undefined,
    );
    expect(orderIn(waiting, order.id)).toMatchObject({ status: 'received', cancelRequest: { state: 'waiting', reason: 'plans changed' } });
    await until(
      device.shop.status$,
      'the device offline with the request unsent',
      (status) => status.state === 'offline' && status.unsent > 0,
    );
    expect(serverHasRequest(dir, order.id)).toBe(false);

    device.link.plug();
    const answered = await until(
      device.shop.orders$,
      'the order cancelled and the request accepted',
      (list) => orderIn(list, order.id)?.status === 'cancelled' && orderIn(list, order.id)?.cancelRequest?.state === 'accepted',
    );
    const cancelled = orderIn(answered, order.id)!;
    expect(cancelled).toMatchObject({
      cancelReason: 'plans changed',
      cancelledBy: 'shopper',
      cancelRequest: { state: 'accepted', reason: 'plans changed', answer: { outcome: 'accepted', reason: 'the order is cancelled' } },
    });
    expect(cancelled.steps.map((step) => step.status)).toEqual(['received', 'cancelled']);
    expect(Date.parse(cancelled.steps[1]!.at)).toBeGreaterThanOrEqual(Date.parse(cancelled.steps[0]!.at));
    await until(device.shop.slots$, 'the place given back', (slots) =>
      slots.some((s) => s.id === order.slot?.id && s.taken === takenBefore),
    );
    expect(await slotTaken(device, order.slot!.id)).toBe(takenBefore);
    expect(await firstValueFrom(device.shop.notices$)).toEqual([]);
    await closeShopDevice(device);
  });

  it('that reaches the server after the order went out for delivery is refused, and the device tells why until dismissed', async () => {
    const kept: string[] = [];
    const dismissedNotices = { load: () => [...kept], save: (keys: readonly string[]) => void kept.splice(0, kept.length, ...keys) };
    const device = await openShopDevice(server, 'tablet', { dismissedNotices });
    const { order } = await receivedOrder(device);
    const store = storeOwnerClient(server);
    const move = async (status: OrderStatus, extra: { driverId?: string } = {}) => {
      const current = serverOrder(dir, REPLICA, order.id)!;
      expect(await moveOrder(store, REPLICA, current, { status, ...extra })).toMatchObject({ ok: true });
    };
    await move('preparing');
    await move('ready');
    await until(device.shop.orders$, 'the order ready', (list) => orderIn(list, order.id)?.status === 'ready');

    // The device still knows the order as ready: it lets the shopper ask, and holds the request while offline.
    device.link.unplug();
    await device.shop.requestCancel(order.id);
    await move('outForDelivery', { driverId: DRIVER });
    device.link.plug();

    const refused = await until(
      device.shop.orders$,
      'the request refused',
      (list) => orderIn(list, order.id)?.cancelRequest?.state === 'refused' && orderIn(list, order.id)?.status === 'outForDelivery',
    );
    expect(orderIn(refused, order.id)).toMatchObject({
      driverId: DRIVER,
      cancelRequest: { state: 'refused', answer: { outcome: 'refused', reason: 'the order is already out for delivery' } },
    });
    expect(orderIn(refused, order.id)?.steps.map((step) => step.status)).toEqual(['received', 'preparing', 'ready', 'outForDelivery']);
    const notices = await until(device.shop.notices$, 'the refusal notice', (list) => list.some((n) => n.kind === 'cancelRefused'));
    expect(notices).toEqual([
      expect.objectContaining({ kind: 'cancelRefused', orderId: order.id, reason: 'the order is already out for delivery' }),
    ]);
    expect(serverOrder(dir, REPLICA, order.id)?.status).toBe('outForDelivery');

    // Now the device knows it too late, and says so itself without writing anything.
    const asking = device.shop.requestCancel(order.id, 'too slow');
    await expect(asking).rejects.toBeInstanceOf(PouroverError);
    await expect(asking).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('out for delivery') });
    const request = await device.shop.replica.collections.orderRequests.findOne(order.id).exec();
    expect(request?.get('answer')?.outcome).toBe('refused');

    device.shop.dismiss(notices[0]!.key);
    expect(await firstValueFrom(device.shop.notices$)).toEqual([]);
    expect(kept).toEqual([notices[0]!.key]);
    await closeShopDevice(device);

    // Dismissed stays dismissed when the app opens again.
    const again = await device.reopen();
    await until(again.shop.orders$, 'the refusal on reopening', (list) => orderIn(list, order.id)?.cancelRequest?.state === 'refused');
    expect(await firstValueFrom(again.shop.notices$)).toEqual([]);
    await closeShopDevice(again);
  });
});
