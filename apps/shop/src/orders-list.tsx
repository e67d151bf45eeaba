import type { OrderView } from '@pourover/orders';
import { formatCents, formatTime } from './format.ts';

const statusWords: Record<OrderView['status'], string> = {
  draft: 'Draft',
  placing: 'Placing — waiting to be sent',
  placed: 'Placed',
  received: 'Received',
  rejected: 'Rejected',
};

/** Orders past the draft stage: placing → placed → received, or rejected with the reason. */
export function OrdersList({ orders }: { orders: readonly OrderView[] }) {
  const shown = orders.filter((order) => order.status !== 'draft');
  return (
    <section class="orders" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Your orders</h2>
      {shown.length === 0 ? <p>No orders yet.</p> : null}
      <ul>
        {shown.map((order) => (
          <li key={order.id} class={`order order-${order.status}`} data-order-id={order.id}>
            <p>
              <strong class="order-status">{statusWords[order.status]}</strong>
              {order.placedTime ? ` · placed ${formatTime(order.placedTime)}` : ''} · {formatCents(order.totalCents)}
            </p>
            <p>{order.items.map((item) => `${item.count} × ${item.name}`).join(', ')}</p>
            {order.slot ? <p>Delivery {formatTime(order.slot.start)}</p> : null}
            {order.rejectReason ? <p class="reason">Not accepted: {order.rejectReason}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
