import type { PushRow, WireDocument } from '@pourover/protocol';
import { order as orderSchema, type DeliveryStatus, type Order } from '@pourover/schemas';
import type { PushInput, PushPlan, StoredDocument, Write } from '@pourover/sync-server/app';
import { withStep } from '../lifecycle.ts';
import { deliveryStep, liveDelivery } from './delivery-writes.ts';

/** The order moves a driver's mark makes, from the order's status: picked up takes it out; delivered ends it. */
const orderMoves: Record<'pickedUp' | 'delivered', Partial<Record<Order['status'], readonly Order['status'][]>>> = {
  pickedUp: { ready: ['outForDelivery'] },
  delivered: { ready: ['outForDelivery', 'delivered'], outForDelivery: ['delivered'] },
};

/** The driver's marks, in order; a mark never goes back. */
const rank: Record<DeliveryStatus, number> = { assigned: 0, pickedUp: 1, delivered: 2, withdrawn: 3 };

function liveOrder(stored: StoredDocument | null): Order | undefined {
  if (!stored || stored.document._deleted) return undefined;
  const { _deleted, ...fields } = stored.document;
  const parsed = orderSchema.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A push of a driver's deliveries: each mark (picked up, delivered) the
 * order's step allows is applied with the order's move, in one commit, each
 * step stamped by the server, so a delivery confirmed offline counts once
 * when it arrives. Everything but the status is the server's; a mark the
 * order no longer allows (it was cancelled meanwhile) comes back as the
 * delivery's state, withdrawn with why.
 */
export async function planDriverPush({ store, replica, rows, now }: PushInput): Promise<PushPlan> {
  const current = await store.getMany(
    replica,
    'deliveries',
    rows.map((row) => row.newDocumentState.id),
  );
  const plans = await Promise.all(rows.map((row, index) => planMark(row, current[index] ?? null, { store, replica, now })));
  return { writes: plans.flatMap((plan) => plan.writes), conflicts: plans.flatMap((plan) => plan.conflicts) };
}

async function planMark(
  row: PushRow,
  stored: StoredDocument | null,
  { store, replica, now }: Pick<PushInput, 'store' | 'replica' | 'now'>,
) {
  const none = { writes: [] as Write[], conflicts: [] as WireDocument[] };
  const delivery = liveDelivery(stored);
  const asked = row.newDocumentState['status'] as DeliveryStatus;
  if (!delivery || !stored) return { ...none, conflicts: [stored?.document ?? { id: row.newDocumentState.id, _deleted: true }] };
  const back = { ...none, conflicts: [stored.document] };
  if (row.newDocumentState._deleted || (asked !== 'pickedUp' && asked !== 'delivered')) return back;
  if (rank[asked] <= rank[delivery.status] || delivery.status === 'withdrawn') return back;

  const orderStored = await store.get(delivery.orderReplica, 'processedOrders', delivery.id);
  const order = liveOrder(orderStored);
  // The order must still be this driver's: a mark moves only an order the store gave to the driver whose replica it is.
  if (order?.driverId !== replica.split(':')[2]) return back;
  const moves = order ? orderMoves[asked][order.status] : undefined;
  const alreadyThere =
    order && ((asked === 'pickedUp' && order.status === 'outForDelivery') || (asked === 'delivered' && order.status === 'delivered'));
  if (!order || !orderStored || (!moves && !alreadyThere)) return back;

  let marked = delivery;
  for (const status of asked === 'delivered' && delivery.status === 'assigned' ? (['pickedUp', 'delivered'] as const) : [asked]) {
    marked = { ...marked, ...stripDeleted(deliveryStep(marked, status, now)) };
  }
  const writes: Write[] = [
    { collection: 'deliveries', document: { ...marked, _deleted: false }, expect: { kind: 'equals', state: stored.document } },
  ];
  if (moves) {
    const moved = moves.reduce<Order>((next, status) => withStep(next, status, now), order);
    writes.push({
      replica: delivery.orderReplica,
      collection: 'processedOrders',
      document: { ...moved, _deleted: false },
      expect: { kind: 'equals', state: orderStored.document },
    });
  }
  return { writes, conflicts: [] };
}

function stripDeleted<T extends { _deleted?: boolean }>(document: T): Omit<T, '_deleted'> {
  const { _deleted, ...fields } = document;
  return fields;
}
