import { PouroverError, type WireDocument } from '@pourover/protocol';
import { isDraftUpdate } from '@pourover/schemas';
import type { CollectionHooks, PushInput, PushPlan } from '@pourover/sync-server/app';
import { planRequestsPush } from './cancel-requests.ts';
import { currentCatalog } from './current-catalog.ts';
import { planDriverPush } from './driver-updates.ts';
import { reviewFulfilmentWrite } from './fulfilment-review.ts';
import { reviewPlacedWrite } from './placed-review.ts';
import { planDraftPush } from './draft-writes.ts';
import { placingContexts } from './placing-facts.ts';

/** Refuses an order whose `ydoc` is no Yjs update (the server merges and reads it). */
export function checkOrderDocument(document: WireDocument, where: string): void {
  if (!isDraftUpdate(String(document['ydoc']))) {
    throw new PouroverError('BAD_INPUT', `${where}: ydoc is not a Yjs update of a draft (base64 of Y.encodeStateAsUpdate)`);
  }
}

/**
 * A push of drafts, planned from the server's current state: each draft
 * merged with the server's (Yjs), its fields derived from the catalog, and a
 * draft marked `placing` moved to `placedOrders` or refused by the order rules.
 */
async function planDraftsPush({ store, replica, rows, now }: PushInput): Promise<PushPlan> {
  const base = { catalog: await currentCatalog(store), now };
  const [current, placing] = await Promise.all([
    store.getMany(
      replica,
      'draftOrders',
      rows.map((row) => row.newDocumentState.id),
    ),
    placingContexts(store, replica, rows, base),
  ]);
  const plans = rows.map((row, index) =>
    planDraftPush(row, current[index] ?? null, { ...base, placing: placing.get(row.newDocumentState.id) }),
  );
  return { writes: plans.flatMap((plan) => plan.writes), conflicts: plans.flatMap((plan) => plan.conflicts) };
}

/** The server's rules for drafts: checked, merged and placed on push, never written by a batch. */
export const draftOrderHooks: CollectionHooks = { check: checkOrderDocument, planPush: planDraftsPush };

/** The server's rules for placed orders: their `ydoc` is checked like a draft's, and only the order processor writes one by batch. */
export const orderHooks: CollectionHooks = { check: checkOrderDocument, reviewBatchWrite: reviewPlacedWrite };

/** The server's rules for processed orders: checked like a draft, and moved through their fulfilment by the store's allowed moves only. */
export const processedOrderHooks: CollectionHooks = { check: checkOrderDocument, reviewBatchWrite: reviewFulfilmentWrite };

/** A driver's deliveries: written by the server when the store assigns an order; the driver's marks move the order. */
export const deliveryHooks: CollectionHooks = { planPush: planDriverPush };

/** The shopper's requests (a cancellation), answered by the server when they arrive. */
export const orderRequestHooks: CollectionHooks = { planPush: planRequestsPush };
