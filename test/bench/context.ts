import { join } from 'node:path';
import { openReplica } from '@pourover/replica';
import type { CatalogItem, Order } from '@pourover/schemas';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { ServerProcess } from '../support/server-process.ts';
import { storeOwnerClient } from '../support/store-owner.ts';
import { pouroverDeviceApp, type ShopReplica } from '@pourover/orders';

/** What every benchmark shares: the running server, the store's client, the catalog, and blessings for any shopper. */
export type BenchContext = {
  server: ServerProcess;
  store: ReturnType<typeof storeOwnerClient>;
  catalog: CatalogItem[];
  /** A device blessing for shopper number `n`, and the shopper's replica. */
  shopper(n: number): { token: string; replica: string; id: string };
  /** Opens a fresh device database for a shopper (production settings: no validation). */
  device(token: string, name: string): Promise<ShopReplica>;
  /** Puts `orders` in a shopper's replica as processed orders, as the store does. */
  receive(replica: string, orders: readonly Order[]): Promise<void>;
};

export async function benchContext(server: ServerProcess): Promise<BenchContext> {
  const store = storeOwnerClient(server);
  const catalog = (await store.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1000 }))
    .documents as unknown as CatalogItem[];
  const key = loadServerKey(join(server.dataDir, 'server-key.pem'));
  return {
    server,
    store,
    catalog,
    shopper(n) {
      const id = `be000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      const replica = `bluebottle:users:${id}`;
      return { id, replica, token: signBlessing(key, { name: `${replica}:bench`, ttlSeconds: 24 * 3600 }) };
    },
    device: (token, name) =>
      openReplica({
        app: pouroverDeviceApp,
        url: server.url,
        blessing: token,
        name,
        indexedDB: { indexedDB, IDBKeyRange },
        EventSource,
        multiInstance: false,
        retryMs: 250,
      }),
    async receive(replica, orders) {
      // Batches of 400 realistic orders stay under the server's 1 MiB body limit.
      for (let start = 0; start < orders.length; start += 400) {
        const operations = orders.slice(start, start + 400).map((order) => ({
          collection: 'processedOrders' as const,
          precondition: { kind: 'absent' as const },
          write: { ...order, _deleted: false },
        }));
        await sentAgainIfUnheard(() => store.sync.batch.mutate({ replica, operations }));
      }
    },
  };
}

/**
 * Runs `request` once more if the connection closed before any answer: after
 * a long synchronous step here (making 10,000 orders takes seconds) the
 * client can send on a pooled keep-alive connection the server has just
 * closed as idle. Writing the same states again would change nothing.
 */
async function sentAgainIfUnheard<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const socketClosed = (error as { cause?: { cause?: { code?: string } } }).cause?.cause?.code === 'UND_ERR_SOCKET';
    if (!socketClosed) throw error;
    return request();
  }
}
