import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem } from '@pourover/schemas';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { closeShopDevice, countsOf, openShopDevice, orderIn, until, type ShopDevice } from './support/shops.ts';
import { waitFor } from './support/wait-for.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

describe('a draft edited on two devices while offline', () => {
  let dir: string;
  let server: ServerProcess;
  let a: ShopDevice;
  let b: ShopDevice;
  let items: CatalogItem[];
  let draft: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pourover-merge-'));
    server = await startServerProcess(dir);
    a = await openShopDevice(server, 'a');
    b = await openShopDevice(server, 'b');
    items = await until(a.shop.catalog$, 'the catalog', (list) => list.length >= 12);
    // Both order from the catalog, as the shop's screen does, once they hold it.
    await until(b.shop.catalog$, 'the catalog on b', (list) => list.length >= 12);
    draft = await a.shop.createDraft();
    await a.shop.addItem(draft, items[0]!.id);
    await until(b.shop.orders$, 'b to see the draft', (orders) => orderIn(orders, draft)?.itemCount === 1);
    a.link.unplug();
    b.link.unplug();
  });

  afterEach(async () => {
    await Promise.all([closeShopDevice(a), closeShopDevice(b)]);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const reconnect = () => {
    a.link.plug();
    b.link.plug();
  };
  const bothShow = async (what: string, check: (order: ReturnType<typeof orderIn>) => boolean) => {
    await until(a.shop.orders$, `a: ${what}`, (orders) => check(orderIn(orders, draft)));
    await until(b.shop.orders$, `b: ${what}`, (orders) => check(orderIn(orders, draft)));
  };

  it('keeps the items added on either device', async () => {
    await a.shop.addItem(draft, items[1]!.id, 2);
    await b.shop.addItem(draft, items[2]!.id, 3);
    reconnect();
    const expected = { [items[0]!.id]: 1, [items[1]!.id]: 2, [items[2]!.id]: 3 };
    await bothShow('all three items', (order) => JSON.stringify(countsOf(order)) === JSON.stringify(sorted(expected)));
    const order = orderIn(await firstValueFrom(a.shop.orders$), draft);
    expect(order?.totalCents).toBe(items[0]!.priceCents + 2 * items[1]!.priceCents + 3 * items[2]!.priceCents);
  });

  it('keeps a count changed on one device and a note set on the other', async () => {
    await a.shop.setCount(draft, items[0]!.id, 4);
    await b.shop.setNote(draft, 'ring the bell');
    reconnect();
    await bothShow('the count and the note', (order) => countsOf(order)[items[0]!.id] === 4 && order?.note === 'ring the bell');
  });

  it('resolves the same item’s count set on both devices to one value, the same on both', async () => {
    await a.shop.setCount(draft, items[0]!.id, 2);
    await b.shop.setCount(draft, items[0]!.id, 7);
    reconnect();
    const count = (device: ShopDevice) =>
      firstValueFrom(device.shop.orders$).then((orders) => countsOf(orderIn(orders, draft))[items[0]!.id]);
    const onServer = () => {
      const file = readServerFile(dir);
      const row = file.documents(REPLICA, 'draftOrders').find((doc) => doc.id === draft);
      file.close();
      return (row?.document['lines'] as { itemId: string; count: number }[] | undefined)?.find((l) => l.itemId === items[0]!.id)?.count;
    };
    await waitFor('both devices to agree with the server', async () => {
      const [onA, onB] = [await count(a), await count(b)];
      return onA === onB && onA === onServer();
    });
    expect([2, 7]).toContain(await count(a));
  });
});

function sorted(record: Record<string, number>) {
  return Object.fromEntries(Object.entries(record).sort(([x], [y]) => x.localeCompare(y)));
}
