import type { Order } from '@pourover/schemas';
import { readServerFile } from './server-file.ts';
import type { storeOwnerClient } from './store-owner.ts';

/** A processed order as the server holds it now, read from its SQLite file. */
export function serverOrder(dataDir: string, replica: string, id: string): Order | undefined {
  const file = readServerFile(dataDir);
  const row = file.documents(replica, 'processedOrders').find((candidate) => candidate.id === id);
  file.close();
  if (!row) return undefined;
  const { _deleted, ...order } = row.document;
  return order as unknown as Order;
}

/** The store moves a processed order on (a batch whose precondition is the state it leaves), as its dashboard does. */
export function moveOrder(client: ReturnType<typeof storeOwnerClient>, replica: string, current: Order, changes: Partial<Order>) {
  return client.sync.batch.mutate({
    replica,
    operations: [
      {
        collection: 'processedOrders',
        precondition: { kind: 'equals', state: { ...current, _deleted: false } },
        write: { ...current, ...changes, _deleted: false },
      },
    ],
  });
}
