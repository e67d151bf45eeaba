/** What tests do to an order's fulfilment: the shopper's requests about it, reading the processed order, and the store's moves of it. */
import type { Order, OrderRequest } from '@pourover/schemas';
import { readServerFile } from './server-file.ts';
import type { Shopper } from './shoppers.ts';
import type { storeOwnerClient } from './store-owner.ts';

type StoreClient = ReturnType<typeof storeOwnerClient>;

/** A shopper's device asks to cancel an order, as the order page does: a request pushed to orderRequests, answered on arrival. */
export async function askToCancel(shopper: Shopper, id: string, reason?: string): Promise<void> {
  const request: OrderRequest = { id, kind: 'cancel', ...(reason ? { reason } : {}) };
  await shopper.client.sync.push.mutate({
    collection: 'orderRequests',
    rows: [{ assumedMasterState: null, newDocumentState: { ...request, _deleted: false } }],
  });
}

/** How the server answered a shopper's request about an order, if it did. */
export async function answerTo(shopper: Shopper, id: string): Promise<OrderRequest['answer']> {
  const { documents } = await shopper.client.sync.get.query({ collection: 'orderRequests', ids: [id] });
  return (documents[0] as OrderRequest | undefined)?.answer;
}

/** The processed order as the server holds it now, asked of the server. */
export async function processedNow(store: StoreClient, replica: string, id: string): Promise<Order | undefined> {
  const { documents } = await store.sync.get.query({ collection: 'processedOrders', ids: [id], replica });
  const [document] = documents;
  if (!document || document._deleted) return undefined;
  const { _deleted, ...order } = document;
  return order as unknown as Order;
}

/** A processed order as the server holds it now, read from its SQLite file (while the server may be down). */
export function serverOrder(dataDir: string, replica: string, id: string): Order | undefined {
  const file = readServerFile(dataDir);
  const row = file.documents(replica, 'processedOrders').find((candidate) => candidate.id === id);
  file.close();
  if (!row) return undefined;
  const { _deleted, ...order } = row.document;
  return order as unknown as Order;
}

/** The store moves a processed order on from `current`, as the owner's dashboard does: one batch whose precondition is the state it leaves. */
export function moveOrder(store: StoreClient, replica: string, current: Order, changes: Partial<Order>) {
  return store.sync.batch.mutate({
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

/** The store moves a processed order on from the state the server holds now. */
export async function storeMove(store: StoreClient, replica: string, id: string, change: Partial<Order>) {
  const current = await processedNow(store, replica, id);
  if (!current) throw new Error(`order ${id} is not processed`);
  return moveOrder(store, replica, current, change);
}
