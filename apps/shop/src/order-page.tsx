import type { OrderView } from '@pourover/orders';
import { formatCents, formatSlot, formatTime, orderNumber, plural } from './format.ts';

type Step = { label: string; at?: string | undefined; detail?: string | undefined; state: 'done' | 'now' | 'next' | 'failed' };

/** What happened to an order so far and what comes next: started, placed (or waiting to be sent), received or rejected, delivered. */
export function timelineOf(order: OrderView): Step[] {
  const placed = order.status === 'placed' || order.status === 'received' || order.status === 'rejected';
  const steps: Step[] = [{ label: 'Started', at: order.createdTime, state: 'done' }];
  if (order.status === 'draft')
    steps.push({ label: order.refusal ? 'Not placed' : 'Placed', detail: order.refusal?.reason, state: order.refusal ? 'failed' : 'next' });
  else if (order.status === 'placing')
    steps.push({ label: 'Placed on this device', detail: 'It is sent to the store as soon as this device is online.', state: 'now' });
  else steps.push({ label: 'Placed', at: order.placedTime, state: 'done' });
  if (order.status === 'rejected') steps.push({ label: 'Not accepted by the store', detail: order.rejectReason, state: 'failed' });
  else
    steps.push({
      label: 'Received by the store',
      at: order.receivedTime,
      state: order.status === 'received' ? 'done' : placed ? 'now' : 'next',
    });
  if (order.status !== 'rejected')
    steps.push({ label: 'Delivery', detail: order.slot ? formatSlot(order.slot) : 'Choose a delivery slot', state: 'next' });
  return steps;
}

/** One order: its confirmation right after placing, its number, slot, items and timeline. */
export function OrderPage({ order, placed }: { order: OrderView | undefined; placed: boolean }) {
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
  const confirmed = placed && order.status !== 'draft' && order.status !== 'rejected';
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
      <ol class="timeline" aria-label="What happened to this order">
        {timelineOf(order).map((step) => (
          <li key={step.label} class={`step step-${step.state}`}>
            <span class="step-label">{step.label}</span>
            {step.at ? <time dateTime={step.at}> {formatTime(step.at)}</time> : null}
            {step.detail ? <span class="step-detail">{step.detail}</span> : null}
          </li>
        ))}
      </ol>
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
