import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderView } from '@pourover/orders';
import { ReadOnlyCollectionError } from '@pourover/replica';
import type { CatalogItem, Order } from '@pourover/schemas';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { openSlot } from './support/open-slot.ts';
import { closeShopDevice, countsOf, openShopDevice, orderIn, until, type ShopDevice } from './support/shops.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

describe('placing an order', () => {
  let dir: string;
  let server: ServerProcess;
  let a: ShopDevice;
  let b: ShopDevice;
  let items: CatalogItem[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pourover-place-'));
    server = await startServerProcess(dir);
    a = await openShopDevice(server, 'a');
    b = await openShopDevice(server, 'b');
    items = await until(a.shop.catalog$, 'the catalog', (list) => list.length >= 12);
    // Both order from the catalog, as the shop's screen does, once they hold it.
    await until(b.shop.catalog$, 'the catalog on b', (list) => list.length >= 12);
  });

  afterEach(async () => {
    await Promise.all([closeShopDevice(a), closeShopDevice(b)]);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function serverOrders(collection: 'draftOrders' | 'placedOrders' | 'processedOrders') {
    const file = readServerFile(dir);
    const rows = file.documents(REPLICA, collection).map((row) => row.document as Order & { _deleted: boolean });
    file.close();
    return rows.filter((row) => !row._deleted);
  }

  async function draftWith(device: ShopDevice, ...picks: number[]) {
    const id = await device.shop.createDraft({ slotId: (await openSlot(device.shop)).id });
    for (const pick of picks) await device.shop.addItem(id, items[pick]!.id);
    return id;
  }

  it('shows it as placing while offline, moves it to placed with the server’s time, and shows it once at every moment', async () => {
    const id = await draftWith(a, 0, 1);
    const seen: OrderView[][] = [];
    const watching = a.shop.orders$.subscribe((orders) => seen.push(orders));
    a.link.unplug();
    await a.shop.place(id);
    await until(a.shop.orders$, 'placing', (orders) => orderIn(orders, id)?.status === 'placing');
    a.link.plug();
    const placed = await until(a.shop.orders$, 'placed', (orders) => orderIn(orders, id)?.status === 'placed');
    watching.unsubscribe();

    expect(seen.map((orders) => orders.filter((order) => order.id === id).length).every((n) => n === 1)).toBe(true);
    expect(orderIn(placed, id)?.placedTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(serverOrders('placedOrders').map((order) => order.id)).toEqual([id]);
    expect(serverOrders('draftOrders').map((order) => order.id)).not.toContain(id);
    await expect(a.shop.addItem(id, items[2]!.id)).rejects.toThrow();
  });

  it('keeps edits that arrive after it was placed elsewhere as a new draft, and says so', async () => {
    const id = await draftWith(a, 0);
    await until(b.shop.orders$, 'b to see the draft', (orders) => orderIn(orders, id)?.itemCount === 1);
    b.link.unplug();
    await b.shop.addItem(id, items[3]!.id, 2);
    await a.shop.place(id);
    await until(a.shop.orders$, 'a: placed', (orders) => orderIn(orders, id)?.status === 'placed');
    b.link.plug();

    const notices = await until(b.shop.notices$, 'b: a split notice', (list) => list.some((n) => n.kind === 'split'));
    const notice = notices.find((n) => n.kind === 'split');
    expect(notice).toMatchObject({ fromOrderId: id });
    const orders = await until(
      b.shop.orders$,
      'b: the new draft and the placed order',
      (list) => list.some((o) => o.splitFrom === id) && orderIn(list, id)?.status === 'placed',
    );
    expect(countsOf(orderIn(orders, id))).toEqual({ [items[0]!.id]: 1 });
    expect(countsOf(orders.find((o) => o.splitFrom === id))).toEqual({ [items[3]!.id]: 2 });
    expect(serverOrders('placedOrders').find((o) => o.id === id)?.lines).toEqual([
      { itemId: items[0]!.id, count: 1, unitCents: items[0]!.priceCents },
    ]);
  });

  it('places exactly what the placing device saw when another device’s edit reached the server first', async () => {
    const id = await draftWith(a, 0);
    await until(b.shop.orders$, 'b to see the draft', (orders) => orderIn(orders, id)?.itemCount === 1);
    a.link.unplug();
    await b.shop.addItem(id, items[4]!.id, 3);
    await until(b.shop.status$, 'b to send its edit', (status) => status.state === 'idle');
    await a.shop.place(id);
    a.link.plug();

    const orders = await until(
      a.shop.orders$,
      'a: placed and the new draft',
      (list) => orderIn(list, id)?.status === 'placed' && list.some((o) => o.splitFrom === id),
    );
    expect(countsOf(orderIn(orders, id))).toEqual({ [items[0]!.id]: 1 });
    expect(countsOf(orders.find((o) => o.splitFrom === id))).toEqual({ [items[4]!.id]: 3 });
    const notices = await firstValueFrom(a.shop.notices$);
    expect(notices.some((n) => n.kind === 'split' && n.fromOrderId === id)).toBe(true);
  });

  it('refuses a shopper’s write to a placed order on the device, and changes nothing there or on the server', async () => {
    const id = await draftWith(a, 0);
    await a.shop.place(id);
    await until(a.shop.orders$, 'placed', (orders) => orderIn(orders, id)?.status === 'placed');
    const local = await a.shop.replica.collections.placedOrders.findOne(id).exec();
    await expect(local?.incrementalPatch({ totalCents: 1 })).rejects.toBeInstanceOf(ReadOnlyCollectionError);
    expect((await a.shop.replica.collections.placedOrders.findOne(id).exec())?.get('totalCents')).toBe(items[0]!.priceCents);
    expect(serverOrders('placedOrders').find((o) => o.id === id)?.totalCents).toBe(items[0]!.priceCents);
  });
});
