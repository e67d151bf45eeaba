import { storeMayMove } from '@pourover/orders/lifecycle';
import type { Order, OrderStatus } from '@pourover/schemas';

/** Each status as the store's boards name it. */
export const stepWords: Record<OrderStatus, string> = {
  draft: 'Draft',
  placing: 'Placing',
  placed: 'Placed',
  awaitingApproval: 'Awaiting approval',
  received: 'Received',
  preparing: 'Preparing',
  ready: 'Ready',
  outForDelivery: 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

/** A move the owner may make from a board: the status it leads to and the button's words; an ending asks a reason. */
export type BoardMove = { to: OrderStatus; label: string; reason?: 'cancel' | 'reject' };

const ORDERS_MOVES: readonly BoardMove[] = [
  { to: 'received', label: 'Approve' },
  { to: 'preparing', label: 'Start preparing' },
  { to: 'ready', label: 'Ready' },
  { to: 'cancelled', label: 'Cancel', reason: 'cancel' },
  { to: 'rejected', label: 'Reject', reason: 'reject' },
];

const DELIVERY_MOVES: readonly BoardMove[] = [
  { to: 'outForDelivery', label: 'Out for delivery' },
  { to: 'delivered', label: 'Delivered' },
  { to: 'cancelled', label: 'Cancel', reason: 'cancel' },
];

/** The moves a board offers on an order: only those the server allows from where it stands. */
export function movesOn(status: OrderStatus, board: 'orders' | 'deliveries'): BoardMove[] {
  return (board === 'orders' ? ORDERS_MOVES : DELIVERY_MOVES).filter((move) => storeMayMove(status, move.to));
}

/**
 * What happened to an order the owner tried to move, when someone else moved
 * it first (the batch's precondition failed): said from the order's state now.
 */
export function movedMeanwhile(
  now: Pick<Order, 'status' | 'cancelledBy' | 'driverId'> | null,
  before: Pick<Order, 'status' | 'driverId'>,
): string {
  if (!now) return 'This order is no longer there.';
  if (now.status === 'cancelled')
    return now.cancelledBy === 'shopper'
      ? 'The shopper cancelled this order meanwhile.'
      : 'This order was cancelled meanwhile, from another device.';
  if (now.status === before.status) {
    return now.driverId !== before.driverId
      ? 'Another device assigned a driver to this order meanwhile.'
      : 'This order changed meanwhile; it now shows the latest.';
  }
  return `This order became ${stepWords[now.status]} meanwhile, from another device.`;
}
