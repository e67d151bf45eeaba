import type { DeliverySlot } from '@pourover/schemas';
import { formatHour, formatSlot, plural } from './format.ts';

/** How many open slots the picker offers: the next three days'. */
const OFFERED = 9;

/** The delivery slots still taking orders, soonest first; a full one is shown but can't be chosen. */
export function SlotPicker({
  slots,
  chosen,
  onChoose,
}: {
  slots: readonly DeliverySlot[];
  chosen: string | null;
  onChoose: (slotId: string) => void;
}) {
  const now = new Date().toISOString();
  const open = slots
    .filter((slot) => slot.cutoff > now)
    .sort((a, b) => a.start.localeCompare(b.start))
    .slice(0, OFFERED);
  return (
    <fieldset class="slots">
      <legend>Delivery slot</legend>
      {open.length === 0 ? <p>No delivery slots are open right now. New ones appear each day.</p> : null}
      <ul>
        {open.map((slot) => {
          const left = Math.max(0, slot.capacity - slot.taken);
          return (
            <li key={slot.id}>
              <label class="slot">
                <input
                  type="radio"
                  name="slot"
                  value={slot.id}
                  checked={chosen === slot.id}
                  disabled={left === 0}
                  onChange={() => onChoose(slot.id)}
                />
                <span class="slot-when">{formatSlot(slot)}</span>
                <span class="slot-places">
                  {left === 0 ? 'Full' : `${plural(left, 'place')} left`} · order by {formatHour(slot.cutoff)}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
