import type { BeforeApply, Replica } from '@pourover/replica';
import type { CollectionName } from '@pourover/schemas';
import { filter, firstValueFrom, merge, timeout } from 'rxjs';

/** Where an order went when its tombstone has this status. */
const destinations: Partial<Record<CollectionName, Record<string, CollectionName[]>>> = {
  draftOrders: { placed: ['placedOrders', 'processedOrders'] },
  placedOrders: { received: ['processedOrders'], rejected: ['processedOrders'] },
};

/** How long a moved order's tombstone waits for its new home before it is pulled again later. */
const WAIT_MS = 30_000;

/**
 * Holds back the tombstone of an order that moved (draft → placed →
 * processed) until the order is on the device in its new collection, so the
 * order API never shows a moment, or a crash, where the order is nowhere.
 */
export function awaitMoveDestinations(replica: () => Promise<Replica>): BeforeApply {
  return async (collection, documents) => {
    const routes = destinations[collection];
    if (!routes) return;
    const moved = documents.flatMap((doc) => {
      const targets = doc._deleted ? routes[String(doc['status'])] : undefined;
      return targets ? [{ id: doc.id, targets }] : [];
    });
    if (moved.length === 0) return;
    const { collections } = await replica();
    await Promise.all(
      moved.map(({ id, targets }) =>
        firstValueFrom(
          merge(...targets.map((target) => collections[target].findOne(id).$)).pipe(
            filter((doc) => doc !== null),
            timeout(WAIT_MS),
          ),
        ),
      ),
    );
  };
}
