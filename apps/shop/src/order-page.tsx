import type { OrderView, Shop } from '@pourover/orders';
import { CancelOrder } from './cancel-order.tsx';
import { formatCents, formatSlot, formatTime, orderNumber, plural } from './format.ts';
import { timelineOf } from './order-timeline.ts';

/** One order: its confirmation right after placing, its number, slot, timeline with times, cancelling it, and its items. */
export function OrderPage({ shop, order, placed }: { shop: Shop; order: OrderView | undefined; placed: boolean }) {
  if (!order) {
    return (
      <section aria-labelledby="order-heading">
        <h1 id="order-heading">Order not found</h1>
        <p>
          This device holds no such order. <a href="/orders">See your orders</a>.
        </p>
      </section>
    );
  }
  const confirmed = placed && order.status !== 'draft' && order.status !== 'rejected' && order.status !== 'cancelled';
  return (
    <section class="order-page" aria-labelledby="order-heading">
      {confirmed ? (
        <div class="confirmation" role="status">
          <h1 id="order-heading">Thank you! Order {orderNumber(order.id)} is placed.</h1>
          <p>{order.slot ? `We deliver it ${formatSlot(order.slot)}.` : 'We deliver it in the slot you chose.'}</p>
        </div>
      ) : (
        <h1 id="order-heading">Order {orderNumber(order.id)}</h1>
      )}
      {order.status === 'draft' && order.refusal ? (
        <p class="error" role="alert">
          Not placed: {order.refusal.reason}. <a href="/order">Change your order</a> and place it again.
        </p>
      ) : null}
      {order.status === 'outForDelivery' ? (
        <p class="on-the-way" role="status">
          Your driver is on the way.
        </p>
      ) : null}
      <ol class="timeline" aria-label="What happened to this order">
        {timelineOf(order).map((step) => (
          <li key={step.label} class={`step step-${step.state}`}>
            <span class="step-label">{step.label}</span>
            {step.at ? <time dateTime={step.at}> {formatTime(step.at)}</time> : null}
            {step.detail ? <span class="step-detail">{step.detail}</span> : null}
          </li>
        ))}
      </ol>
      <CancelOrder shop={shop} order={order} />
      <h2>Items</h2>
      <ul class="order-items">
        {order.items.map((item) => (
          <li key={item.itemId}>
            {item.count} × {item.name} <span class="line-total">{formatCents(item.lineCents)}</span>
          </li>
        ))}
      </ul>
      <p class="total">
        {plural(order.itemCount, 'item')} · Total <strong>{formatCents(order.totalCents)}</strong>
      </p>
      {order.note ? <p>Note for the courier: {order.note}</p> : null}
      <p>
        <a href="/orders">All your orders</a> · <a href="/">Keep shopping</a>
      </p>
    </section>
  );
}
