import { PouroverError, type WireDocument } from '@pourover/protocol';
import { delivery as deliverySchema, STORE, userProfile, type Delivery, type DeliveryStatus, type Order } from '@pourover/schemas';
import type { Store, StoredDocument, Write } from '@pourover/sync-server/app';
import { currentCatalog } from './current-catalog.ts';

/** The replica a driver's deliveries live in. */
export const driverReplica = (driverId: string) => `${STORE}:drivers:${driverId}`;

const shopperOf = (replica: string) => replica.split(':')[2] ?? '';

const expectCurrent = (stored: StoredDocument | null) =>
  stored ? ({ kind: 'equals', state: stored.document } as const) : ({ kind: 'absent' } as const);

/** A stored delivery as the schema reads it; none for a missing, deleted or unreadable one. */
export function liveDelivery(stored: StoredDocument | null): Delivery | undefined {
  if (!stored || stored.document._deleted) return undefined;
  const { _deleted, ...fields } = stored.document;
  const parsed = deliverySchema.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}

/** The delivery with one more status, stamped with the server's time. */
export function deliveryStep(current: Delivery, status: DeliveryStatus, now: Date, reason?: string): WireDocument {
  // A withdrawn delivery keeps nothing of its customer: the driver no longer needs it.
  const forgotten = status === 'withdrawn' ? { customerName: '', address: '', note: '', items: [] } : {};
  return {
    ...current,
    ...forgotten,
    status,
    steps: [...current.steps, { status, at: now.toISOString() }].slice(-8),
    ...(reason ? { withdrawnReason: reason } : {}),
    _deleted: false,
  };
}

/** A profile as this release reads it: a field a newer release added (during a rolling upgrade) is left out, not refused. */
const anyReleaseProfile = userProfile.strip();

/** What a driver is given of an order: the customer's name, address and note, the items by name, the slot. */
async function newDelivery(store: Store, replica: string, order: Order, now: Date): Promise<WireDocument> {
  const [profile, slot, catalog] = await Promise.all([
    store.get(replica, 'user', shopperOf(replica)),
    order.slotId ? store.get(STORE, 'availability', order.slotId) : Promise.resolve(null),
    currentCatalog(store),
  ]);
  const customer = profile && !profile.document._deleted ? anyReleaseProfile.safeParse(withoutDeleted(profile.document)) : undefined;
  const slotFields = slot && !slot.document._deleted ? slot.document : undefined;
  return {
    id: order.id,
    orderReplica: replica,
    customerName: customer?.success ? customer.data.name : '',
    address: customer?.success ? customer.data.address : '',
    note: order.note,
    items: order.lines.map((line) => ({ name: catalog.entry(line.itemId)?.name ?? 'Unknown item', count: line.count })),
    totalCents: order.totalCents,
    slotStart: typeof slotFields?.['start'] === 'string' ? slotFields['start'] : null,
    slotEnd: typeof slotFields?.['end'] === 'string' ? slotFields['end'] : null,
    status: 'assigned',
    steps: [{ status: 'assigned', at: now.toISOString() }],
    _deleted: false,
  };
}

function withoutDeleted(document: WireDocument): Record<string, unknown> {
  const { _deleted, ...fields } = document;
  return fields;
}

/** Why a delivery is taken from its driver when its order ends. */
const withdrawals: Partial<Record<Order['status'], string>> = {
  cancelled: 'the order was cancelled',
  rejected: 'the store turned the order down',
};

/**
 * The writes that keep the drivers' deliveries in step with an order's move
 * from `before` to `after`, in the same commit: a delivery made for the
 * driver assigned (and taken from the one replaced), picked up when the
 * order goes out, delivered with it, withdrawn when it ends otherwise.
 */
export async function deliveryWrites(store: Store, replica: string, before: Order, after: Order, now: Date): Promise<Write[]> {
  const writes: Write[] = [];
  const withdraw = async (driverId: string, reason: string) => {
    const stored = await store.get(driverReplica(driverId), 'deliveries', after.id);
    const current = liveDelivery(stored);
    if (current && current.orderReplica === replica && current.status !== 'withdrawn' && current.status !== 'delivered')
      writes.push({
        replica: driverReplica(driverId),
        collection: 'deliveries',
        document: deliveryStep(current, 'withdrawn', now, reason),
        expect: expectCurrent(stored),
      });
  };
  if (before.driverId && before.driverId !== after.driverId) await withdraw(before.driverId, 'the order was given to another driver');
  const driverId = after.driverId;
  if (!driverId) return writes;
  const ended = withdrawals[after.status];
  if (ended) {
    await withdraw(driverId, ended);
    return writes;
  }
  const stored = await store.get(driverReplica(driverId), 'deliveries', after.id);
  const current = liveDelivery(stored);
  // Order ids are the shoppers' to choose: a delivery under this id for another shopper's order is never this one's.
  if (current && current.orderReplica !== replica)
    throw new PouroverError('PRECONDITION_FAILED', 'this driver holds another delivery under this order’s id; assign another driver');
  const target = { replica: driverReplica(driverId), collection: 'deliveries', expect: expectCurrent(stored) };
  if (!current || current.status === 'withdrawn') {
    const made = await newDelivery(store, replica, after, now);
    writes.push({
      ...target,
      document: stored ? { ...made, steps: [...(current?.steps ?? []), ...(made['steps'] as [])].slice(-8) } : made,
    });
    return writes;
  }
  if (after.status === 'outForDelivery' && current.status === 'assigned')
    writes.push({ ...target, document: deliveryStep(current, 'pickedUp', now) });
  if (after.status === 'delivered' && current.status !== 'delivered')
    writes.push({ ...target, document: deliveryStep(current, 'delivered', now) });
  return writes;
}
