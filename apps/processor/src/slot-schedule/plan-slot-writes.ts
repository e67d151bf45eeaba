import type { DeliverySlot, SlotScheduleRow } from '@pourover/schemas';
import { slotsFromSchedule } from './generate-slots.ts';

const DAY = 86_400_000;

/**
 * A change to the store's slots that makes them follow the schedule, each
 * written with a precondition: a new slot only where none is (`absent`),
 * a capacity or a deletion only over the state it was planned from.
 */
export type SlotWrite =
  | { kind: 'create'; slot: DeliverySlot }
  | { kind: 'capacity'; before: DeliverySlot; after: DeliverySlot }
  | { kind: 'delete'; before: DeliverySlot };

export type SlotPlanInput = {
  rows: readonly SlotScheduleRow[];
  /** The store's live slots (tombstones left out), hand-made ones included: only those with a `scheduleId` are touched. */
  held: ReadonlyMap<string, DeliverySlot>;
  now: Date;
  /** How many days ahead slots are published. */
  horizonDays: number;
};

/**
 * What to write so that the slots to come follow the schedule:
 * - each slot the rows make that starts within the horizon and still takes
 *   orders is created if missing;
 * - a slot not yet started whose row's capacity changed gets the row's
 *   capacity, never less than its places taken;
 * - a slot not yet started whose row is gone (or whose row's times changed)
 *   is deleted if no order took a place in it, and kept if one did.
 * Slots that started are history and never change; hand-made slots neither.
 */
export function planSlotWrites({ rows, held, now, horizonDays }: SlotPlanInput): SlotWrite[] {
  const at = now.getTime();
  const horizon = at + horizonDays * DAY;
  const upcoming = [...held.values()].filter((slot) => slot.scheduleId !== undefined && Date.parse(slot.start) > at);
  // Far enough to see every generated slot held (a horizon once longer, say), so none is taken for an orphan.
  const latest = Math.max(horizon, ...upcoming.map((slot) => Date.parse(slot.start) + 1));
  const wanted = new Map(slotsFromSchedule(rows, { from: now, to: new Date(latest) }).map((slot) => [slot.id, slot]));
  const writes: SlotWrite[] = [];
  for (const slot of wanted.values()) {
    if (!held.has(slot.id) && Date.parse(slot.start) < horizon && Date.parse(slot.cutoff) > at) writes.push({ kind: 'create', slot });
  }
  for (const before of upcoming) {
    const want = wanted.get(before.id);
    if (!want) {
      if (before.taken === 0) writes.push({ kind: 'delete', before });
      continue;
    }
    const capacity = Math.max(want.capacity, before.taken);
    if (capacity !== before.capacity) writes.push({ kind: 'capacity', before, after: { ...before, capacity } });
  }
  return writes;
}
