import type { DeliverySlot } from '@pourover/schemas';

/**
 * The slots a shopper may still choose at `now`, soonest first, at most
 * `limit`: a slot whose cutoff has passed (started ones included) is
 * hidden; a full one stays, to be shown full.
 */
export function openSlots(slots: readonly DeliverySlot[], now: number, limit: number): DeliverySlot[] {
  const at = new Date(now).toISOString();
  return slots
    .filter((slot) => slot.cutoff > at)
    .sort((a, b) => a.start.localeCompare(b.start))
    .slice(0, limit);
}

/** When the next of `slots` closes after `now` (ms), so the picker can look again then and not before; none if none will. */
export function nextCutoff(slots: readonly DeliverySlot[], now: number): number | undefined {
  let next: number | undefined;
  for (const slot of slots) {
    const cutoff = Date.parse(slot.cutoff);
    if (cutoff > now && (next === undefined || cutoff < next)) next = cutoff;
  }
  return next;
}
