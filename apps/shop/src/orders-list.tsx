import type { OrderView } from '@pourover/orders';
import { formatCents, formatSlot, formatTime, orderNumber, plural } from './format.ts';

export const statusWords: Record<OrderView['status'], string> = {
  draft: 'Draft',
  placing: 'Placing — waiting to be sent',
  placed: 'Placed',
  awaitingApproval: 'Waiting for the store’s approval',
  received: 'Received',
  preparing: 'Being prepared',
  ready: 'Ready',
  outForDelivery: 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

/**
 * Orders past the draft stage, newest first, each linking to its page with
 * the step it is at (placing → placed → received → … → delivered), or
 * cancelled or rejected with the reason.
 */
export function OrdersList({ orders }: { orders: readonly OrderView[] }) {
  const shown = orders.filter((order) => order.status !== 'draft');
  return (
    <section class="orders" aria-labelledby="orders-heading">
      <h1 id="orders-heading">Your orders</h1>
      {shown.length === 0 ? (
        <p>
          No orders yet. <a href="/">Start one</a>.
        </p>
      ) : null}
      <ul>
        {shown.map((order) => (
          <li key={order.id} class={`order order-${order.status}`} data-order-id={order.id}>
            <a href={`/orders/${order.id}`} class="order-link">
              <span class="order-number">Order {orderNumber(order.id)}</span>
              <strong class="order-status">{statusWords[order.status]}</strong>
            </a>
            <p>
              {plural(order.itemCount, 'item')} · {formatCents(order.totalCents)}
              {order.placedTime ? ` · placed ${formatTime(order.placedTime)}` : ''}
            </p>
            <p>{order.items.map((item) => `${item.count} × ${item.name}`).join(', ')}</p>
            {order.slot ? <p>Delivery {formatSlot(order.slot)}</p> : null}
            {order.status === 'outForDelivery' ? <p class="on-the-way">Your driver is on the way.</p> : null}
            {order.rejectReason ? <p class="reason">Not accepted: {order.rejectReason}</p> : null}
            {order.status === 'cancelled' && order.cancelReason ? (
              <p class="reason">
                {order.cancelledBy === 'store' ? 'Cancelled by the store' : 'Cancelled'}: {order.cancelReason}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
