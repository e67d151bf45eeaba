import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderView } from '@pourover/orders';
import type { CatalogItem, Order } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { openSlot } from './support/open-slot.ts';
import { closeShopDevice, openShopDevice, orderIn, until, type ShopDevice } from './support/shops.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

/**
 * Moments to kill the device after placing: before anything leaves it
 * (offline), and at growing delays while the push, the server's move and the
 * sync of its result are under way.
 */
const moments = [{ offline: true, ms: 0 }, ...[0, 1, 3, 6, 12, 25, 50, 100, 200].map((ms) => ({ offline: false, ms }))];

describe('a device killed while placing an order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-kill-'));
  let server: ServerProcess;
  let items: CatalogItem[] = [];

  beforeAll(async () => {
    server = await startServerProcess(dir);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(moments)('never loses the order and places it once (killed %o)', async (moment) => {
    let device: ShopDevice = await openShopDevice(server, 'phone');
    // Each run's device is new: it orders from the catalog once it holds it, as the shop's screen does.
    items = await until(device.shop.catalog$, 'the catalog', (list) => list.length >= 12);
    const id = await device.shop.createDraft({ slotId: (await openSlot(device.shop)).id });
    await device.shop.addItem(id, items[0]!.id, 2);
    await device.shop.replica.awaitInSync();
    if (moment.offline) device.link.unplug();
    await device.shop.place(id);
    await new Promise((resolve) => setTimeout(resolve, moment.ms));
    // The kill: the network goes at once, mid-request if one is under way, and the database is shut.
    device.link.unplug();
    await closeShopDevice(device);

    device = await device.reopen();
    const seen: OrderView[][] = [];
    const watching = device.shop.orders$.subscribe((orders) => seen.push(orders));
    await until(device.shop.orders$, 'the order placed', (orders) => orderIn(orders, id)?.status === 'placed');
    watching.unsubscribe();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((orders) => orders.filter((order) => order.id === id).length !== 1)).toEqual([]);

    const file = readServerFile(dir);
    const live = (collection: string) =>
      file.documents(REPLICA, collection).filter((row) => !(row.document as Order & { _deleted: boolean })._deleted);
    expect(live('placedOrders').filter((row) => row.id === id)).toHaveLength(1);
    expect(live('draftOrders').filter((row) => row.id === id || row.document['splitFrom'] === id)).toEqual([]);
    expect((live('placedOrders').find((row) => row.id === id)?.document as Order).lines).toEqual([
      { itemId: items[0]!.id, count: 2, unitCents: items[0]!.priceCents },
    ]);
    file.close();
    await closeShopDevice(device);
  });
});
