import { PouroverError, type WireDocument } from '@pourover/protocol';
import { NOT_APPROVED_IN_TIME, order as orderSchema, type Order } from '@pourover/schemas';
import { canonicalJson, type BatchWriteInput, type BatchWriteReview } from '@pourover/sync-server/app';
import { assignable, holdsPlace, storeMayMove, withStep } from '../lifecycle.ts';
import { approvalHold } from './approval-hold.ts';
import { deliveryWrites } from './delivery-writes.ts';
import { slotGiveBack } from './slot-give-back.ts';
import { isStoreWorker } from './store-worker.ts';

/** The fields a move may set; every other field of a processed order stays as it was. */
const MOVING_FIELDS = ['status', 'steps', 'cancelReason', 'cancelledBy', 'rejectReason', 'driverId', 'refundedTime', '_deleted'] as const;

function asOrder(document: WireDocument, what: string): Order {
  const { _deleted, ...fields } = document;
  const parsed = orderSchema.safeParse(fields);
  if (!parsed.success) throw new PouroverError('BAD_INPUT', `${what} is not an order`);
  return parsed.data;
}

function unmoved(document: Order): string {
  const rest: Record<string, unknown> = { ...document };
  for (const field of MOVING_FIELDS) delete rest[field];
  return canonicalJson(rest);
}

const refuse = (message: string): never => {
  throw new PouroverError('BAD_INPUT', message);
};

const forbid = (message: string): never => {
  throw new PouroverError('FORBIDDEN', message);
};

/** A reason the store gives, as written; an empty one is refused. */
function reasonOf(value: string | undefined, what: string): string {
  const reason = value?.trim() ?? '';
  return reason.length > 0 ? reason : refuse(`${what} needs a reason the shopper will read`);
}

/**
 * The store's move of a processed order through its fulfilment, as the
 * server lets it land: taken in as `received` (or `awaitingApproval` when
 * the store's setting holds it), then along an allowed move from the state
 * it leaves, with nothing but the move's own fields changed, its step
 * stamped with the server's time, and, when it ends an order that holds a
 * slot place, the place given back in the same commit, and the driver's
 * delivery kept in step. The charge is given back after, by the processor (`refundedTime`
 * records it).
 */
export async function reviewFulfilmentWrite(input: BatchWriteInput): Promise<BatchWriteReview> {
  const { before, document, now } = input;
  if (before === undefined) refuse(`a write of processed order ${document.id} must name the state it leaves (a precondition)`);
  if (document._deleted) refuse('a processed order is never deleted');
  const next = asOrder(document, `processed order ${document.id}`);
  // Taking an order in and recording a refund are the store's workers' (the processor's), never an owner's device's.
  const worker = isStoreWorker(input.principal);
  if (before === null || before === undefined || before._deleted) {
    if (!worker) forbid('only the store’s order processor takes orders in');
    if (next.status !== 'received' && next.status !== 'rejected')
      refuse(`an order is processed as received or rejected, not ${next.status}`);
    const { refundedTime, approveBy: _approveBy, ...processed } = next;
    // A rejection may come with its charge already given back; the server stamps when it learnt so.
    const refunded = refundedTime && next.status === 'rejected' ? { refundedTime: now.toISOString() } : {};
    // An order the store's setting holds waits for the owner's approval, charged and with its place taken.
    const held = next.status === 'received' ? await approvalHold(input.store, next, now) : undefined;
    const status = held ? 'awaitingApproval' : next.status;
    return { document: { ...withStep({ ...processed, ...held, steps: [] }, status, now), ...refunded, _deleted: false } };
  }
  const last = asOrder(before, `the state processed order ${document.id} leaves`);
  if (unmoved(last) !== unmoved(next))
    refuse(`only an order's status, reason and driver change as it moves; order ${next.id} changes more`);

  if (next.refundedTime !== last.refundedTime && !worker) forbid('only the store’s order processor records a refund it made');
  if (next.driverId !== last.driverId && !assignable.includes(last.status))
    refuse(`a driver is assigned before the order leaves the store, not when ${last.status}`);
  if (next.status === last.status) {
    const kept = sameStep(last, next, now);
    return { document: { ...kept, _deleted: false }, writes: await deliveryWrites(input.store, input.replica, last, kept, now) };
  }
  if (!storeMayMove(last.status, next.status)) refuse(`an order ${last.status} cannot become ${next.status}`);
  // The deadline the shopper was promised holds on the server's clock, whether or not a processor is running to enforce it.
  if (last.status === 'awaitingApproval' && next.status === 'received' && last.approveBy && now.getTime() >= Date.parse(last.approveBy))
    refuse(`order ${next.id} was to be approved by ${last.approveBy}; it is too late to approve it, and it will be rejected and refunded`);
  // Nor does a wait end early: a processor whose clock runs ahead of the server's would cut the owner's time short.
  const timedOut = last.status === 'awaitingApproval' && next.status === 'rejected' && next.rejectReason?.trim() === NOT_APPROVED_IN_TIME;
  if (timedOut && last.approveBy && now.getTime() < Date.parse(last.approveBy))
    refuse(
      `order ${next.id} may be approved until ${last.approveBy}; it is not yet too late, so it is not rejected as not approved in time`,
    );
  const driverId = next.driverId ?? last.driverId;
  if (next.status === 'outForDelivery' && !driverId) refuse('an order goes out for delivery with a driver assigned');
  const moved: Order = {
    ...withStep(last, next.status, now),
    ...(driverId ? { driverId } : {}),
    ...(next.status === 'cancelled' ? { cancelReason: reasonOf(next.cancelReason, 'a cancellation'), cancelledBy: 'store' as const } : {}),
    ...(next.status === 'rejected' ? { rejectReason: reasonOf(next.rejectReason, 'a rejection') } : {}),
  };
  const ends = (next.status === 'cancelled' || next.status === 'rejected') && holdsPlace.includes(last.status);
  const [slot, deliveries] = await Promise.all([
    ends ? slotGiveBack(input.store, last.slotId) : [],
    deliveryWrites(input.store, input.replica, last, moved, now),
  ]);
  return { document: { ...moved, _deleted: false }, writes: [...slot, ...deliveries] };
}

/** A write that keeps the status: a driver assigned while the order is at the store, or a refund recorded once. */
function sameStep(last: Order, next: Order, now: Date): Order {
  const { driverId, refundedTime } = next;
  if (driverId !== last.driverId && !driverId) refuse('a driver is replaced, never removed');
  if (refundedTime !== last.refundedTime) {
    if (last.refundedTime || !refundedTime) refuse('a refund is recorded once');
    if (last.status !== 'cancelled' && last.status !== 'rejected') refuse('only a cancelled or rejected order is refunded');
  }
  if (next.cancelReason !== last.cancelReason || next.rejectReason !== last.rejectReason || next.cancelledBy !== last.cancelledBy)
    refuse('a reason is given with the move it explains');
  return {
    ...last,
    ...(driverId ? { driverId } : {}),
    ...(refundedTime && !last.refundedTime ? { refundedTime: now.toISOString() } : {}),
  };
}
