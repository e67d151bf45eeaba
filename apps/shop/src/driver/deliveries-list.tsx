import type { DeliveryView, DriverRoute } from '@pourover/orders';
import { useState } from 'preact/hooks';
import { formatCents, formatHour, formatTime, orderNumber } from '../format.ts';
import { useObservable } from '../use-observable.ts';
import { explain } from '../words/error-words.ts';

const statusWords: Record<DeliveryView['status'], string> = {
  assigned: 'To pick up',
  pickedUp: 'On the way',
  delivered: 'Delivered',
  withdrawn: 'Withdrawn',
};

/** How late a delivery is against its slot's end at `now`, in words; nothing while on time or done. */
export function lateness(delivery: DeliveryView, now: number): string | undefined {
  if (!delivery.slotEnd || delivery.status === 'delivered' || delivery.status === 'withdrawn') return undefined;
  const minutes = Math.floor((now - Date.parse(delivery.slotEnd)) / 60_000);
  return minutes > 0 ? `Late by ${minutes} min` : undefined;
}

function DeliveryCard({ route, delivery }: { route: DriverRoute; delivery: DeliveryView }) {
  const [error, setError] = useState<string | null>(null);
  const act = (mark: () => Promise<void>) => () => {
    setError(null);
    mark().catch((failure: unknown) => setError(explain(failure).sentence));
  };
  const late = lateness(delivery, Date.now());
  const heading = `delivery-${delivery.id}`;
  return (
    <li class={`delivery delivery-${delivery.status}`} data-delivery-id={delivery.id} aria-labelledby={heading}>
      <h3 id={heading}>
        {delivery.customerName || 'Customer'} <span class="order-number">{orderNumber(delivery.id)}</span>
      </h3>
      <p class="delivery-status">
        <strong>{statusWords[delivery.status]}</strong>
        {delivery.unsent ? <span> · waiting to be sent</span> : null}
        {late ? <span class="late"> · {late}</span> : null}
      </p>
      <p class="delivery-address">{delivery.address || 'No address given'}</p>
      {delivery.slotStart && delivery.slotEnd ? (
        <p>
          Deliver {formatTime(delivery.slotStart)}–{formatHour(delivery.slotEnd)}
        </p>
      ) : null}
      <ul class="delivery-items" aria-label="Items">
        {delivery.items.map((item, index) => (
          <li key={index}>
            {item.count} × {item.name}
          </li>
        ))}
      </ul>
      {delivery.note ? <p class="delivery-note">Note: {delivery.note}</p> : null}
      <p>{formatCents(delivery.totalCents)}, paid</p>
      {delivery.status === 'withdrawn' ? <p class="reason">{delivery.withdrawnReason ?? 'Taken off your route'}</p> : null}
      <div class="delivery-actions">
        {delivery.status === 'assigned' ? (
          <button type="button" onClick={act(() => route.markPickedUp(delivery.id))}>
            Picked up
          </button>
        ) : null}
        {delivery.status === 'assigned' || delivery.status === 'pickedUp' ? (
          <button type="button" class="primary" onClick={act(() => route.markDelivered(delivery.id))}>
            Delivered
          </button>
        ) : null}
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

/** A driver's route: the deliveries to make, by slot, each with what delivering needs and the marks to make; then those done. */
export function DeliveriesList({ route }: { route: DriverRoute }) {
  const deliveries = useObservable(route.deliveries$, undefined);
  if (!deliveries) return <p>Loading your deliveries…</p>;
  if (deliveries.length === 0) return <p>No deliveries assigned to you.</p>;
  return (
    <ul class="deliveries" aria-label="Deliveries assigned to you" aria-live="polite">
      {deliveries.map((delivery) => (
        <DeliveryCard key={delivery.id} route={route} delivery={delivery} />
      ))}
    </ul>
  );
}
