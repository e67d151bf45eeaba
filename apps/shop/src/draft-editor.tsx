import type { OrderView, Shop } from '@pourover/orders';
import { useState } from 'preact/hooks';
import { CountInput } from './count-input.tsx';
import { formatCents, plural } from './format.ts';
import { NoteField } from './note-field.tsx';
import { navigate } from './router.ts';
import { SlotPicker } from './slot-picker.tsx';
import { useObservable } from './use-observable.ts';
import { explain } from './words/error-words.ts';

/** The shopper's order being made: items with their counts, a note, a delivery slot, and placing it. */
export function DraftEditor({ shop, draft }: { shop: Shop; draft: OrderView | undefined }) {
  const slots = useObservable(shop.slots$, []);
  const catalog = useObservable(shop.catalog$, []);
  const [error, setError] = useState<string | null>(null);
  const act = (work: () => Promise<unknown>) => {
    setError(null);
    work().catch((failure: unknown) => setError(explain(failure).sentence));
  };
  if (!draft || draft.items.length === 0) {
    return (
      <section class="draft" aria-labelledby="draft-heading">
        <h1 id="draft-heading">Your order</h1>
        <p>
          Your order is empty. <a href="/">Browse coffee and gear</a> and add what you like.
        </p>
      </section>
    );
  }
  const images = new Map(catalog.map((item) => [item.id, item.image]));
  const place = () =>
    act(async () => {
      await shop.place(draft.id);
      navigate(`/orders/${draft.id}?placed`);
    });
  return (
    <section class="draft" aria-labelledby="draft-heading">
      <h1 id="draft-heading">Your order</h1>
      {draft.refusal ? (
        <p class="error refusal" role="alert">
          Not placed: {draft.refusal.reason}.
        </p>
      ) : null}
      <ul class="lines">
        {draft.items.map((line) => (
          <li key={line.itemId}>
            {images.get(line.itemId) ? <img src={`/images/${images.get(line.itemId)}`} alt="" width={56} height={56} /> : null}
            <div class="line-name">
              <span>{line.name}</span>
              <span class="hint">{formatCents(line.priceCents)} each</span>
            </div>
            <CountInput
              id={`count-${line.itemId}`}
              name={line.name}
              count={line.count}
              onCount={(count) => act(() => shop.setCount(draft.id, line.itemId, count))}
            />
            <span class="line-total">{formatCents(line.lineCents)}</span>
            <button
              type="button"
              class="link"
              aria-label={`Remove ${line.name}`}
              onClick={() => act(() => shop.removeItem(draft.id, line.itemId))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <NoteField note={draft.note} onSave={(note) => act(() => shop.setNote(draft.id, note))} />
      <SlotPicker slots={slots} chosen={draft.slot?.id ?? null} onChoose={(slotId) => act(() => shop.setSlot(draft.id, slotId))} />
      <p class="total">
        {plural(draft.itemCount, 'item')} · Total <strong>{formatCents(draft.totalCents)}</strong>
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" class="primary place" disabled={!draft.slot} onClick={place}>
        Place order
      </button>
      {!draft.slot ? <p class="hint">Choose a delivery slot to place your order.</p> : null}
    </section>
  );
}
