import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Order } from '@pourover/schemas';
import { firstValueFrom, Subject } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from './support/server-process.ts';
import { openSlot } from './support/open-slot.ts';
import { closeShopDevice, openShopDevice, orderIn, until } from './support/shops.ts';
import { receiveOrder, storeOwnerClient } from './support/store-owner.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const MINUTE = 60_000;

describe('unreceived-order notices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-notice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appear for a placed order not received after the set time, and go once it is received', async () => {
    const server = await startServerProcess(dir);
    let skew = 0;
    const recheck$ = new Subject<void>();
    const device = await openShopDevice(server, 'phone', { now: () => Date.now() + skew, recheck$, unreceivedAfterMs: 15 * MINUTE });
    const [item] = await until(device.shop.catalog$, 'the catalog', (list) => list.length > 0);
    const id = await device.shop.createDraft({ slotId: (await openSlot(device.shop)).id });
    await device.shop.addItem(id, item!.id);
    await device.shop.place(id);
    await until(device.shop.orders$, 'placed', (orders) => orderIn(orders, id)?.status === 'placed');

    skew = 14 * MINUTE;
    recheck$.next();
    expect(await firstValueFrom(device.shop.notices$)).toEqual([]);

    skew = 16 * MINUTE;
    recheck$.next();
    const notices = await until(device.shop.notices$, 'an unreceived notice', (list) => list.length > 0);
    expect(notices).toMatchObject([{ kind: 'unreceived', orderId: id }]);

    const placed = await device.shop.replica.collections.placedOrders.findOne(id).exec();
    const result = await receiveOrder(storeOwnerClient(server), REPLICA, placed?.toJSON() as unknown as Order);
    expect(result.ok).toBe(true);
    await until(device.shop.orders$, 'received', (orders) => orderIn(orders, id)?.status === 'received');
    expect(await until(device.shop.notices$, 'no notice', (list) => list.length === 0)).toEqual([]);

    await closeShopDevice(device);
    await server.stop();
  });
});
