import type { OrderView, Shop } from '@pourover/orders';
import { useState } from 'preact/hooks';
import { explain, formatCents, formatTime } from './format.ts';
import { useObservable } from './use-observable.ts';

/** The shopper's current draft: items with counts, a note, a delivery slot, and placing it. */
export function DraftEditor({ shop, draft }: { shop: Shop; draft: OrderView | undefined }) {
  const slots = useObservable(shop.slots$, []);
  const [error, setError] = useState<string | null>(null);
  const act = (work: () => Promise<unknown>) => {
    setError(null);
    work().catch((failure: unknown) => setError(explain(failure)));
  };
  if (!draft) return <section class="draft" aria-label="Your order"><p>Add something from the catalog to start an order.</p></section>;
  const now = new Date().toISOString();
  const open = slots.filter((slot) => slot.cutoff > now);
  return (
    <section class="draft" aria-labelledby="draft-heading">
      <h2 id="draft-heading">Your order</h2>
      {draft.items.length === 0 ? <p>Your order is empty.</p> : null}
      <ul class="lines">
        {draft.items.map((line) => (
          <li key={line.itemId}>
            <span class="line-name">{line.name}</span>
            <button type="button" aria-label={`One less ${line.name}`} onClick={() => act(() => shop.setCount(draft.id, line.itemId, line.count - 1))}>
              −
            </button>
            <span aria-label={`${line.count} of ${line.name}`}>{line.count}</span>
            <button type="button" aria-label={`One more ${line.name}`} onClick={() => act(() => shop.setCount(draft.id, line.itemId, line.count + 1))}>
              +
            </button>
            <span class="line-total">{formatCents(line.lineCents)}</span>
            <button type="button" aria-label={`Remove ${line.name}`} onClick={() => act(() => shop.removeItem(draft.id, line.itemId))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <label>
        Note for the courier
        <textarea value={draft.note} maxLength={1000} onChange={(event) => act(() => shop.setNote(draft.id, event.currentTarget.value))} />
      </label>
      <label>
        Delivery slot
        <select value={draft.slot?.id ?? ''} onChange={(event) => act(() => shop.setSlot(draft.id, event.currentTarget.value || null))}>
          <option value="">Choose a slot</option>
          {open.map((slot) => (
            <option value={slot.id} key={slot.id} disabled={slot.taken >= slot.capacity}>
              {formatTime(slot.start)} · {Math.max(0, slot.capacity - slot.taken)} places left · order by {formatTime(slot.cutoff)}
            </option>
          ))}
        </select>
      </label>
      <p class="total">Total {formatCents(draft.totalCents)}</p>
      {error ? <p class="error" role="alert">{error}</p> : null}
      {draft.refusal ? <p class="error">Not placed: {draft.refusal.reason}.</p> : null}
      <button
        type="button"
        class="primary"
        disabled={draft.items.length === 0 || !draft.slot}
        onClick={() => act(() => shop.place(draft.id))}
      >
        Place order
      </button>
      {!draft.slot && draft.items.length > 0 ? <p class="hint">Choose a delivery slot to place your order.</p> : null}
    </section>
  );
}
