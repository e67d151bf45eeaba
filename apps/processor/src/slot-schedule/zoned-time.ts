/** A calendar date, as the store's clocks show it. */
export type LocalDate = { year: number; month: number; day: number };

const MINUTE = 60_000;
const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: making one costs far more than using it. */
function formatIn(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  return format;
}

/** The wall-clock reading in `zone` at `instant`, as if it were a UTC time (milliseconds). */
function wallClock(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatIn(zone).formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** How far `zone`'s clocks are ahead of UTC at `instant`, in milliseconds (whole seconds). */
export function offsetAt(instant: number, zone: string): number {
  return wallClock(instant, zone) - Math.floor(instant / 1000) * 1000;
}

/** The date `zone`'s clocks show at `instant`. */
export function localDateAt(instant: number, zone: string): LocalDate {
  const wall = new Date(wallClock(instant, zone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** `HH:MM` that `zone`'s clocks show at `instant`. */
export function localTimeAt(instant: number, zone: string): string {
  return new Date(wallClock(instant, zone)).toISOString().slice(11, 16);
}

/** `YYYY-MM-DD`. */
export function dateKey(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** The date `days` after `date` (a calendar step, whatever the zone). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY);
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

/** ISO weekday of a date: 1 is Monday, 7 is Sunday. */
export function isoWeekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() || 7;
}

/**
 * The instant `zone`'s clocks show `minutes` after midnight on `date`. A
 * time that happens twice (clocks set back) is its first occurrence; a time
 * that never happens (clocks set forward over it) is moved forward by the
 * gap, as a clock on the wall would read it: Temporal's `compatible`.
 */
export function zonedInstant(date: LocalDate, minutes: number, zone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minutes * MINUTE;
  // A zone changes its offset at most once within a day either side, so these two offsets are every candidate.
  const earlier = wall - offsetAt(wall - DAY, zone);
  const later = wall - offsetAt(wall + DAY, zone);
  const fits = [earlier, later].filter((instant) => wallClock(instant, zone) === wall);
  return fits.length > 0 ? Math.min(...fits) : earlier;
}
