import type { PushRow, WireDocument } from '@pourover/protocol';
import { order as orderSchema, orderRequest, type Order, type OrderRequest } from '@pourover/schemas';
import type { PushInput, PushPlan, StoredDocument, Write } from '@pourover/sync-server/app';
import { cancelRefusal, holdsPlace, withStep } from '../lifecycle.ts';
import { deliveryWrites } from './delivery-writes.ts';
import { slotGiveBack } from './slot-give-back.ts';

const SHOPPER_CANCELLED = 'cancelled at the shopper’s request';

const live = (stored: StoredDocument | null | undefined) => (stored && !stored.document._deleted ? stored.document : undefined);

function parsed<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, document: WireDocument) {
  const { _deleted, ...fields } = document;
  const result = schema.safeParse(fields);
  return result.success ? result.data : undefined;
}

const expectCurrent = (stored: StoredDocument | null | undefined) =>
  stored ? ({ kind: 'equals', state: stored.document } as const) : ({ kind: 'absent' } as const);

/**
 * A push of the shopper's requests, answered from the orders as they stand
 * now. A cancellation the order's step still allows is made in the same
 * commit: a placed order moves to processed orders as cancelled (it holds
 * no charge or place yet); a processed one is cancelled and its slot place
 * given back, and the processor refunds its charge. A request that arrives
 * too late is answered with why. An accepted request is final; a refused
 * one may be asked again; a shopper may clear either (a tombstone).
 */
export async function planRequestsPush({ store, replica, rows, now }: PushInput): Promise<PushPlan> {
  const ids = rows.map((row) => row.newDocumentState.id);
  const [requests, placed, processed] = await Promise.all([
    store.getMany(replica, 'orderRequests', ids),
    store.getMany(replica, 'placedOrders', ids),
    store.getMany(replica, 'processedOrders', ids),
  ]);
  const plans = await Promise.all(
    rows.map((row, index) =>
      planRequest(row, { request: requests[index], placed: placed[index], processed: processed[index] }, { store, replica, now }),
    ),
  );
  return { writes: plans.flatMap((plan) => plan.writes), conflicts: plans.flatMap((plan) => plan.conflicts) };
}

type Current = {
  request: StoredDocument | null | undefined;
  placed: StoredDocument | null | undefined;
  processed: StoredDocument | null | undefined;
};

async function planRequest(
  row: PushRow,
  current: Current,
  { store, replica, now }: Pick<PushInput, 'store' | 'replica' | 'now'>,
): Promise<PushPlan> {
  const next = row.newDocumentState;
  const stored = live(current.request);
  const asked = stored ? parsed<OrderRequest>(orderRequest, stored) : undefined;
  if (next._deleted) {
    // Cleared: the tombstone keeps nothing the device wrote.
    const tombstone = { id: next.id, kind: 'cancel', _deleted: true };
    return { writes: [{ collection: 'orderRequests', document: tombstone, expect: expectCurrent(current.request) }], conflicts: [] };
  }
  if (stored && asked?.answer?.outcome === 'accepted') return { writes: [], conflicts: [stored] };

  const request = parsed<OrderRequest>(orderRequest, next);
  if (!request) return { writes: [], conflicts: stored ? [stored] : [] };
  const { answer: _answered, ...asking } = request;
  const answer = (outcome: 'accepted' | 'refused', reason: string): Write => ({
    collection: 'orderRequests',
    document: { ...asking, answer: { outcome, reason, at: now.toISOString() }, _deleted: false },
    expect: expectCurrent(current.request),
  });

  const placedOrder = live(current.placed);
  const processedOrder = live(current.processed);
  const order = processedOrder
    ? parsed<Order>(orderSchema, processedOrder)
    : placedOrder
      ? parsed<Order>(orderSchema, placedOrder)
      : undefined;
  const refusal = order ? cancelRefusal(order.status) : 'no order of the shopper’s has this id';
  if (!order || refusal) {
    const reason = refusal ?? 'the order cannot be cancelled';
    // Asked again for the same answer: the answer stands, and nothing is written.
    if (stored && asked?.answer?.outcome === 'refused' && asked.answer.reason === reason) return { writes: [], conflicts: [stored] };
    return { writes: [answer('refused', reason)], conflicts: [] };
  }

  const cancelled: Order = {
    ...withStep(order, 'cancelled', now),
    cancelReason: request.reason?.trim() || SHOPPER_CANCELLED,
    cancelledBy: 'shopper',
  };
  const writes: Write[] = [answer('accepted', 'the order is cancelled')];
  if (processedOrder) {
    writes.push({ collection: 'processedOrders', document: { ...cancelled, _deleted: false }, expect: expectCurrent(current.processed) });
    if (holdsPlace.includes(order.status)) writes.push(...(await slotGiveBack(store, order.slotId)));
    writes.push(...(await deliveryWrites(store, replica, order, cancelled, now)));
  } else {
    writes.push(
      { collection: 'processedOrders', document: { ...cancelled, _deleted: false }, expect: { kind: 'absent' } },
      { collection: 'placedOrders', document: { ...cancelled, _deleted: true }, expect: expectCurrent(current.placed) },
    );
  }
  return { writes, conflicts: [] };
}
