import type { BeforeApply } from '@pourover/replica';
import type { ShopperCollectionName } from '@pourover/schemas';
import type { ShopReplica } from './device-app.ts';
import { filter, firstValueFrom, merge, timeout } from 'rxjs';

/** Where an order went when its tombstone has this status. */
const destinations: Partial<Record<string, Record<string, ShopperCollectionName[]>>> = {
  draftOrders: { placed: ['placedOrders', 'processedOrders'] },
  placedOrders: { received: ['processedOrders'], rejected: ['processedOrders'], cancelled: ['processedOrders'] },
};

/** How long a moved order's tombstone waits for its new home before it is pulled again later. */
const WAIT_MS = 30_000;

type Tombstone = { id: string; _deleted: boolean; status?: unknown };

const targetsOf = (collection: string, doc: Tombstone) => (doc._deleted ? destinations[collection]?.[String(doc.status)] : undefined);

/** Resolves once the order `doc` (of `collection`) moved to is on the device; at once if `doc` is not a moved order's tombstone. */
export async function awaitDestination(replica: ShopReplica, collection: string, doc: Tombstone): Promise<void> {
  const targets = targetsOf(collection, doc);
  if (!targets) return;
  const { collections } = replica;
  await firstValueFrom(
    merge(...targets.map((target) => collections[target].findOne(doc.id).$)).pipe(
      filter((found) => found !== null),
      timeout(WAIT_MS),
    ),
  );
}

/**
 * Holds back the tombstone of an order that moved (draft → placed →
 * processed) until the order is on the device in its new collection, so the
 * order API never shows a moment, or a crash, where the order is nowhere.
 */
export function awaitMoveDestinations(replica: () => Promise<ShopReplica>): BeforeApply {
  return async (collection, documents) => {
    const moved = documents.filter((doc) => targetsOf(collection, doc));
    if (moved.length === 0) return;
    const ready = await replica();
    await Promise.all(moved.map((doc) => awaitDestination(ready, collection, doc)));
  };
}
