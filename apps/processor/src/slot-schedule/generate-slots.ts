import { minutesOfDay, type DeliverySlot, type SlotScheduleRow } from '@pourover/schemas';
import { nameBasedId } from './slot-id.ts';
import { addDays, dateKey, isoWeekday, localDateAt, zonedInstant, type LocalDate } from './zoned-time.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A slot made from a schedule row: it names the row it came from. */
export type GeneratedSlot = DeliverySlot & { scheduleId: string };

/**
 * The id of a row's slot on a local date. Every field that says when the
 * slot is goes into it, so a row whose times change makes new slots (the
 * old ones are then deleted if no order took them, kept if one did) rather
 * than moving a slot shoppers chose; only the capacity changes in place.
 */
export function generatedSlotId(row: SlotScheduleRow, date: LocalDate): string {
  return nameBasedId(
    `slot-schedule:${row.id}:${dateKey(date)}:${row.start}:${row.durationMinutes}:${row.closesMinutesBefore}:${row.timeZone}`,
  );
}

function slotOn(row: SlotScheduleRow, date: LocalDate): GeneratedSlot {
  const start = zonedInstant(date, minutesOfDay(row.start), row.timeZone);
  return {
    id: generatedSlotId(row, date),
    start: new Date(start).toISOString(),
    end: new Date(start + row.durationMinutes * MINUTE).toISOString(),
    capacity: row.capacity,
    taken: 0,
    cutoff: new Date(start - row.closesMinutesBefore * MINUTE).toISOString(),
    scheduleId: row.id,
  };
}

/**
 * Every slot the schedule's rows make that starts in [from, to), soonest
 * first: one per row on each local date of the row's weekday, its start
 * the row's time of day in the row's zone (DST included), its end and
 * cutoff that many minutes after and before.
 */
export function slotsFromSchedule(rows: readonly SlotScheduleRow[], range: { from: Date; to: Date }): GeneratedSlot[] {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const slots: GeneratedSlot[] = [];
  for (const row of rows) {
    // A day either side: the zone's dates straddle UTC's, and a slot starts on its local date.
    const last = localDateAt(to + DAY, row.timeZone);
    for (let date = localDateAt(from - DAY, row.timeZone); dateKey(date) <= dateKey(last); date = addDays(date, 1)) {
      if (isoWeekday(date) !== row.weekday) continue;
      const slot = slotOn(row, date);
      const start = Date.parse(slot.start);
      if (start >= from && start < to) slots.push(slot);
    }
  }
  return slots.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
}
