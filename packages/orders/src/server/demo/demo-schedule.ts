import type { SlotScheduleRow } from '@pourover/schemas';
import { stableId } from '@pourover/sync-server/app';

/** The demo store's zone: Blue Bottle roasts in Oakland. */
export const DEMO_TIME_ZONE = 'America/Los_Angeles';

const times = ['10:00', '13:00', '16:00'];

/** The demo's weekly schedule: Monday to Saturday, three two-hour slots a day of ten places, each closing an hour before it starts. */
export function demoSchedule(): SlotScheduleRow[] {
  return [1, 2, 3, 4, 5, 6].flatMap((weekday) =>
    times.map((start) => ({
      id: stableId(`slot-schedule:${weekday}:${start}`),
      weekday,
      start,
      durationMinutes: 120,
      capacity: 10,
      closesMinutesBefore: 60,
      timeZone: DEMO_TIME_ZONE,
    })),
  );
}
