import type { ComponentChildren } from 'preact';
import { formatCents, formatSlot, formatTime, orderNumber, plural } from '../format.ts';
import { currentStep, type BoardRow } from './board-groups.ts';
import { stepWords } from './board-moves.ts';
import { lateBy, lateWords } from './lateness.ts';
import type { Catalog, Profiles, Slots } from './use-lookups.ts';

/** What an order card names besides the order: its shopper, items and slot. */
export type Lookups = { catalog: Catalog; slots: Slots; profiles: Profiles; now: Date };

/** A shopper's name as the board shows it: from their profile, else the start of their replica's id. */
export function customerName(replica: string, profiles: Profiles): string {
  const profile = profiles.get(replica);
  if (profile?.name) return profile.name;
  return profile === undefined ? 'Loading customer…' : `Shopper ${replica.split(':').at(-1)?.slice(0, 8) ?? ''}`;
}

/**
 * One order as the store makes and delivers it: who, where, what (counts,
 * names, prices), the note, the slot, the total, when it was placed, its step
 * and since when; late if its slot is over and it has not arrived. The
 * board's actions for it come as children.
 */
export function OrderCard({ row, lookups, children }: { row: BoardRow; lookups: Lookups; children?: ComponentChildren }) {
  const { order, replica } = row;
  const profile = lookups.profiles.get(replica);
  const slot = order.slotId ? lookups.slots.get(order.slotId) : undefined;
  const step = currentStep(order);
  const late = lateBy(order, slot, lookups.now);
  const headingId = `order-${order.id}`;
  return (
    <li data-order-id={order.id} class={`board-order board-${order.status}`}>
      <article aria-labelledby={headingId}>
        <h3 id={headingId} class="board-order-title">
          <span class="board-number">{orderNumber(order.id)}</span> {customerName(replica, lookups.profiles)}
        </h3>
        <p class="board-step">
          <span class="board-status">{stepWords[step.status]}</span>
          {step.at ? <> since {formatTime(step.at)}</> : null}
          {late !== undefined ? <strong class="late"> {lateWords(late)}</strong> : null}
        </p>
        <dl class="board-facts">
          <dt>Address</dt>
          <dd>{profile?.address || (profile === undefined ? '…' : 'No address given')}</dd>
          <dt>Slot</dt>
          <dd>{slot ? formatSlot(slot) : order.slotId ? 'Slot not found' : 'No slot'}</dd>
          <dt>Placed</dt>
          <dd>{order.placedTime ? formatTime(order.placedTime) : '—'}</dd>
          <dt>Total</dt>
          <dd>
            {formatCents(order.totalCents)} for <span>{plural(order.itemCount, 'item')}</span>
          </dd>
        </dl>
        <ul class="board-lines" aria-label={`Items of order ${orderNumber(order.id)}`}>
          {order.lines.map((line) => (
            <li key={line.itemId}>
              <span class="count">{line.count} ×</span> {lookups.catalog.get(line.itemId)?.name ?? `Item ${line.itemId.slice(0, 8)}`}
              {line.unitCents !== undefined ? <span class="line-cents"> {formatCents(line.unitCents * line.count)}</span> : null}
            </li>
          ))}
        </ul>
        {order.note ? <p class="board-note">Note: {order.note}</p> : null}
        {order.cancelReason ? (
          <p class="reason">
            Cancelled by {order.cancelledBy === 'shopper' ? 'the shopper' : 'the store'}: {order.cancelReason}
          </p>
        ) : null}
        {order.rejectReason ? <p class="reason">Rejected: {order.rejectReason}</p> : null}
        {children}
      </article>
    </li>
  );
}
