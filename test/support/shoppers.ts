import { join } from 'node:path';
import { createSyncClient } from '@pourover/sync-client';
import { derivedFields, editDraft, emptyDraftUpdate, type CatalogItem, type DeliverySlot, type Order } from '@pourover/schemas';
import { loadServerKey, signBlessing } from '@pourover/sync-server';

/** A shopper of tests: their replica, a device client, and their profile's payment token. */
export type Shopper = { id: string; replica: string; client: ReturnType<typeof createSyncClient> };

export function shopperId(n: number): string {
  return `5e000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Creates a shopper with a profile (through a device blessing signed by the server's key). */
export async function createShopper(
  server: { url: string; dataDir: string },
  n: number,
  paymentToken: string,
): Promise<Shopper & { token: string }> {
  const id = shopperId(n);
  const replica = `bluebottle:users:${id}`;
  const token = signBlessing(loadServerKey(join(server.dataDir, 'server-key.pem')), { name: `${replica}:test`, ttlSeconds: 3600 });
  const client = createSyncClient({ url: server.url, token: () => token });
  const profile = { id, name: `Shopper ${n}`, email: `s${n}@example.com`, address: `${n} Main St`, paymentToken, _deleted: false };
  await client.sync.push.mutate({ collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: profile }] });
  return { id, replica, client, token };
}

/** The server would not place an order; `reason` is the refusal the draft came back with. */
export class PlacingRefused extends Error {
  constructor(readonly reason: string) {
    super(`the server refused to place the order: ${reason}`);
  }
}

export type NewOrder = { id: string; items: { item: CatalogItem; count: number }[]; slot: DeliverySlot | null };

/** An order as a device places it: a draft marked `placing`, which the server moves to placedOrders. */
export function placingDraft(order: NewOrder): Order {
  const ydoc = editDraft(emptyDraftUpdate(), [
    ...order.items.map(({ item, count }) => ({ kind: 'setCount' as const, itemId: item.id, count })),
    { kind: 'setSlot', slotId: order.slot?.id ?? null },
  ]);
  const prices = new Map(order.items.map(({ item }) => [item.id, item.priceCents]));
  return { id: order.id, status: 'placing', ydoc, ...derivedFields(ydoc, (id) => prices.get(id)), createdTime: new Date().toISOString() };
}

/** Places an order the way a device does: a draft pushed as `placing`, which the server moves, or refuses (`PlacingRefused`). */
export async function placeOrder(shopper: Shopper, order: NewOrder): Promise<Order> {
  const draft = placingDraft(order);
  const answer = await shopper.client.sync.push.mutate({
    collection: 'draftOrders',
    rows: [{ assumedMasterState: null, newDocumentState: { ...draft, _deleted: false } }],
  });
  const refusal = answer.conflicts.find((conflict) => conflict.id === order.id)?.['refusal'] as { reason: string } | undefined;
  if (refusal) throw new PlacingRefused(refusal.reason);
  return draft;
}
