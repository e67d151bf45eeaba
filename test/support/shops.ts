import { randomUUID } from 'node:crypto';
import { openShop, type OrderView, type Shop, type ShopOptions } from '@pourover/orders';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import { devSignIn } from './devices.ts';
import { TcpLink } from './tcp-link.ts';

export type ShopDevice = { name: string; shop: Shop; link: TcpLink; token: string; reopen(): Promise<ShopDevice> };

type Extra = Partial<Pick<ShopOptions, 'now' | 'recheck$' | 'unreceivedAfterMs' | 'dismissedNotices'>>;

/**
 * A device of the demo shopper with the order API, in this process, behind
 * its own unpluggable link. Its database is new (fake-indexeddb lives as long
 * as the test file, and a device left from an earlier test would carry that
 * server's checkpoints); `reopen()` opens the same database again.
 */
export async function openShopDevice(server: { url: string; port: number }, name: string, extra: Extra = {}): Promise<ShopDevice> {
  return openShopDatabase(server, name, `shop-${name}-${randomUUID()}`, extra, await devSignIn(server.url, name));
}

async function openShopDatabase(
  server: { url: string; port: number },
  name: string,
  database: string,
  extra: Extra,
  blessing: string,
): Promise<ShopDevice> {
  const link = await TcpLink.open(server);
  const shop = await openShop({
    url: link.url,
    blessing,
    name: database,
    indexedDB: { indexedDB, IDBKeyRange },
    EventSource,
    multiInstance: false,
    validate: true,
    retryMs: 250,
    ...extra,
  });
  const device: ShopDevice = {
    name,
    shop,
    link,
    token: blessing,
    async reopen() {
      return openShopDatabase(server, name, database, extra, blessing);
    },
  };
  return device;
}

export async function closeShopDevice(device: ShopDevice) {
  await device.shop.close();
  await device.link.close();
}

/** The first value of `source` that passes `check`, or a failure naming `what`. */
export function until<T>(source: Observable<T>, what: string, check: (value: T) => boolean, ms = 20_000): Promise<T> {
  return firstValueFrom(
    source.pipe(
      filter(check),
      timeout({
        first: ms,
        with: () => {
          throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        },
      }),
    ),
  );
}

export const orderIn = (orders: readonly OrderView[], id: string) => orders.find((order) => order.id === id);

/** Counts of items in an order view, by item id. */
export const countsOf = (order: OrderView | undefined) => Object.fromEntries((order?.items ?? []).map((item) => [item.itemId, item.count]));
