import type { DeliverySlot } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { formatHour, formatSlot, plural } from './format.ts';
import { nextCutoff, openSlots } from './slot-choice.ts';

/** How many open slots the picker offers: the next three days'. */
const OFFERED = 9;

/** The longest wait a timer takes (about 24.8 days); a later cutoff is waited for in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The time now, read again when the next of `slots` closes: a timer to that cutoff, not a clock ticking every second. */
function useNowUntilNextCutoff(slots: readonly DeliverySlot[]): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const next = nextCutoff(slots, now);
    if (next === undefined) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(LONGEST_TIMER_MS, next - now + 1));
    return () => clearTimeout(timer);
  }, [slots, now]);
  return now;
}

/**
 * The delivery slots still taking orders, soonest first; a full one is
 * shown but can't be chosen. Places left follow the slots as they
 * replicate; a slot leaves the list when its cutoff passes.
 */
export function SlotPicker({
  slots,
  chosen,
  onChoose,
}: {
  slots: readonly DeliverySlot[];
  chosen: string | null;
  onChoose: (slotId: string) => void;
}) {
  const open = openSlots(slots, useNowUntilNextCutoff(slots), OFFERED);
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
