import type { DeliverySlot } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { describedBy, FieldError } from '../field-error.tsx';
import { formatSlot, plural } from '../format.ts';
import { localInputOf, parseCapacity, parseCutoff } from './money.ts';
import { saveDocument, type OwnerSession } from './store-client.ts';
import { useStoreDocuments } from './store-documents.ts';

type Errors = { capacity?: string; cutoff?: string; row?: string };

function SlotRow({ session, slot, onSaved }: { session: OwnerSession; slot: DeliverySlot; onSaved: (slot: DeliverySlot) => void }) {
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState(false);
  const [capacity, setCapacity] = useState(String(slot.capacity));
  const [cutoff, setCutoff] = useState(localInputOf(slot.cutoff));
  // What the server holds now (after a save, or someone else's change) is what the fields show.
  useEffect(() => setCapacity(String(slot.capacity)), [slot.capacity]);
  useEffect(() => setCutoff(localInputOf(slot.cutoff)), [slot.cutoff]);
  const save = async (change: Partial<DeliverySlot>) => {
    setSaved(false);
    const result = await saveDocument(session, 'availability', slot, { ...slot, ...change });
    if (result.ok) {
      onSaved(result.document as DeliverySlot);
      setSaved(true);
      return setErrors({});
    }
    if (result.latest) onSaved(result.latest as DeliverySlot);
    setErrors({ row: result.sentence });
  };
  const capacityId = `capacity-${slot.id}`;
  const cutoffId = `cutoff-${slot.id}`;
  return (
    <li class="editor-row" data-start={slot.start}>
      <h3>{formatSlot(slot)}</h3>
      <p class="hint">
        {plural(slot.taken, 'place')} taken of {slot.capacity}
        {slot.scheduleId ? ' · from the weekly schedule, which sets its places' : ''}
      </p>
      <div class="field">
        <label for={capacityId}>Capacity (places)</label>
        <input
          id={capacityId}
          inputMode="numeric"
          readOnly={slot.scheduleId !== undefined}
          value={capacity}
          onInput={(event) => setCapacity(event.currentTarget.value)}
          onChange={(event) => {
            const parsed = parseCapacity(event.currentTarget.value, slot.taken);
            if (!parsed.ok) return setErrors({ capacity: parsed.error });
            void save({ capacity: parsed.value });
          }}
          {...describedBy(`${capacityId}-error`, errors.capacity)}
        />
        <FieldError id={`${capacityId}-error`} error={errors.capacity} />
      </div>
      <div class="field">
        <label for={cutoffId}>Orders close at</label>
        <input
          id={cutoffId}
          type="datetime-local"
          value={cutoff}
          onInput={(event) => setCutoff(event.currentTarget.value)}
          onChange={(event) => {
            const parsed = parseCutoff(event.currentTarget.value, slot.start);
            if (!parsed.ok) return setErrors({ cutoff: parsed.error });
            void save({ cutoff: parsed.value });
          }}
          {...describedBy(`${cutoffId}-error`, errors.cutoff)}
        />
        <FieldError id={`${cutoffId}-error`} error={errors.cutoff} />
      </div>
      {errors.row ? (
        <p class="error" role="alert">
          {errors.row}
        </p>
      ) : null}
      {saved ? (
        <p class="saved" role="status">
          Saved
        </p>
      ) : null}
    </li>
  );
}

/**
 * The delivery slots still to come, soonest first (past ones hidden), each
 * row edited in place; a slot made from the weekly schedule takes its
 * places from there (the processor would set them back).
 */
export function SlotEditor({ session }: { session: OwnerSession }) {
  const { rows, error, replace } = useStoreDocuments<DeliverySlot>(session.client, 'availability', (a, b) =>
    a.start.localeCompare(b.start),
  );
  const now = new Date().toISOString();
  return (
    <section aria-labelledby="slots-heading">
      <h2 id="slots-heading">Delivery slots</h2>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {rows === null && !error ? <p role="status">Loading slots…</p> : null}
      <ul class="editor-rows">
        {rows
          ?.filter((slot) => slot.end > now)
          .map((slot) => (
            <SlotRow key={slot.id} session={session} slot={slot} onSaved={replace} />
          ))}
      </ul>
    </section>
  );
}
