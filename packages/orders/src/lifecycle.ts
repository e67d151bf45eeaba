import type { Order, OrderStatus } from '@pourover/schemas';

/**
 * The moves the store makes through an order's fulfilment. Each is one batch
 * whose precondition is the state it leaves, so of two people acting at once
 * one wins and the other is told. The store may cancel or reject at any step
 * before the order's end. An order awaiting approval is approved (`received`)
 * or rejected, by the owner or, once its wait is over, by the processor.
 */
export const storeMoves: { readonly [S in OrderStatus]?: readonly OrderStatus[] } = {
  awaitingApproval: ['received', 'cancelled', 'rejected'],
  received: ['preparing', 'cancelled', 'rejected'],
  preparing: ['ready', 'cancelled', 'rejected'],
  ready: ['outForDelivery', 'cancelled', 'rejected'],
  outForDelivery: ['delivered', 'cancelled', 'rejected'],
};

/** Whether the store may move an order from `from` to `to`. */
export function storeMayMove(from: OrderStatus, to: OrderStatus): boolean {
  return storeMoves[from]?.includes(to) ?? false;
}

/** The statuses in which a driver may still be assigned or changed: until the order leaves the store. */
export const assignable: readonly OrderStatus[] = ['received', 'preparing', 'ready'];

/** The statuses whose order holds a slot place and a charge, which ending it gives back. */
export const holdsPlace: readonly OrderStatus[] = ['awaitingApproval', 'received', 'preparing', 'ready', 'outForDelivery'];

/**
 * Why a shopper may no longer cancel an order in `status`, or nothing when
 * they may: until it is out for delivery.
 */
export function cancelRefusal(status: OrderStatus): string | undefined {
  switch (status) {
    case 'placed':
    case 'awaitingApproval':
    case 'received':
    case 'preparing':
    case 'ready':
      return undefined;
    case 'outForDelivery':
      return 'the order is already out for delivery';
    case 'delivered':
      return 'the order was already delivered';
    case 'cancelled':
      return 'the order was already cancelled';
    case 'rejected':
      return 'the store had already turned the order down';
    default:
      return 'the order has not been placed';
  }
}

/** The order with one more step, stamped with the server's time. */
export function withStep<T extends Pick<Order, 'steps'>>(order: T, status: OrderStatus, now: Date): T & { status: OrderStatus } {
  return { ...order, status, steps: [...(order.steps ?? []), { status, at: now.toISOString() }].slice(-16) };
}
