import { z } from 'zod';
import { docId } from './primitives.ts';

/** ISO weekdays: 1 is Monday, 7 is Sunday. */
export const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
export type Weekday = (typeof weekdays)[number];

/** Whether `zone` is an IANA time zone this runtime's Intl knows (`Europe/Paris`, `America/Los_Angeles`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A time of day on a 24-hour clock, `HH:MM`. */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day as HH:MM, 00:00 to 23:59');

/** An IANA time zone name. */
export const timeZone = z
  .string()
  .min(1, 'expected a time zone')
  .max(64, 'a time zone name is at most 64 characters')
  .refine(isTimeZone, 'expected an IANA time zone, such as America/Los_Angeles');

/**
 * One row of the store's weekly delivery schedule: every `weekday`, a slot
 * starting at `start` (the store's local time in `timeZone`), lasting
 * `durationMinutes`, with `capacity` places, closing to orders
 * `closesMinutesBefore` its start. The processor generates the coming
 * weeks' slots from the rows. Each row carries the zone so that a row alone
 * says when its slots are; the owner's editor sets one zone for all rows.
 */
export const slotScheduleRow = z
  .object({
    id: docId,
    weekday: z
      .number()
      .int('expected a weekday from 1 (Monday) to 7 (Sunday)')
      .min(1, 'expected a weekday from 1 (Monday) to 7 (Sunday)')
      .max(7, 'expected a weekday from 1 (Monday) to 7 (Sunday)'),
    start: timeOfDay,
    durationMinutes: z
      .number()
      .int('the duration is whole minutes')
      .min(15, 'a slot lasts at least 15 minutes')
      .max(720, 'a slot lasts at most 12 hours'),
    capacity: z
      .number()
      .int('the capacity is a whole number')
      .min(0, 'the capacity is 0 or more')
      .max(10_000, 'the capacity is at most 10,000'),
    closesMinutesBefore: z
      .number()
      .int('orders close a whole number of minutes before the start')
      .min(0, 'orders close at the start or before it')
      .max(10_080, 'orders close at most a week before the start'),
    timeZone,
  })
  .strict();

export type SlotScheduleRow = z.infer<typeof slotScheduleRow>;

/** Minutes after local midnight of an `HH:MM` time of day. */
export function minutesOfDay(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}
