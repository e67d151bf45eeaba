import type { DeliverySlot } from '@pourover/schemas';
import { stableId } from '@pourover/sync-server/app';

const windows = [
  { startHour: 9, hours: 2 },
  { startHour: 12, hours: 2 },
  { startHour: 17, hours: 2 },
];
const CUTOFF_HOURS = 2;
const CAPACITY = 10;

/** Delivery slots for `days` days from `now`'s day on, three a day (UTC), each closing two hours before it starts. */
export function demoSlots(now: Date, days = 7): DeliverySlot[] {
  const slots: DeliverySlot[] = [];
  const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let day = 0; day < days; day += 1) {
    for (const window of windows) {
      const start = new Date(day0 + day * 86_400_000 + window.startHour * 3_600_000);
      const end = new Date(start.getTime() + window.hours * 3_600_000);
      const cutoff = new Date(start.getTime() - CUTOFF_HOURS * 3_600_000);
      if (end <= now) continue;
      slots.push({
        id: stableId(`slot:${start.toISOString()}`),
        start: start.toISOString(),
        end: end.toISOString(),
        capacity: CAPACITY,
        taken: 0,
        cutoff: cutoff.toISOString(),
      });
    }
  }
  return slots;
}
