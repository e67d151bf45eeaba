import { minutesOfDay, slotScheduleRow, type SlotScheduleRow } from '@pourover/schemas';

/** A schedule row's fields as the owner types them. */
export type RowFields = { weekday: string; start: string; durationMinutes: string; capacity: string; closesMinutesBefore: string };

export const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export const fieldsOf = (row: SlotScheduleRow): RowFields => ({
  weekday: String(row.weekday),
  start: row.start,
  durationMinutes: String(row.durationMinutes),
  capacity: String(row.capacity),
  closesMinutesBefore: String(row.closesMinutesBefore),
});

export const newRowFields: RowFields = { weekday: '1', start: '10:00', durationMinutes: '120', capacity: '10', closesMinutesBefore: '60' };

export type RowErrors = Partial<Record<keyof RowFields | 'timeZone', string>>;

/** A schema message as a sentence for the owner: capitalised, with its full stop. */
const sentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;

const wholeNumber = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN);

/**
 * The row the owner typed, checked as the server will (the schema's
 * messages, and a slot ends by midnight), or each field's error.
 */
export function parseRow(
  id: string,
  fields: RowFields,
  timeZone: string,
): { ok: true; row: SlotScheduleRow } | { ok: false; errors: RowErrors } {
  const candidate = {
    id,
    weekday: Number(fields.weekday),
    start: fields.start,
    durationMinutes: wholeNumber(fields.durationMinutes),
    capacity: wholeNumber(fields.capacity),
    closesMinutesBefore: wholeNumber(fields.closesMinutesBefore),
    timeZone,
  };
  const parsed = slotScheduleRow.safeParse(candidate);
  if (!parsed.success) {
    const errors: RowErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof RowErrors;
      errors[field] ??= Number.isNaN(candidate[field as keyof typeof candidate]) ? 'Enter a whole number.' : sentence(issue.message);
    }
    return { ok: false, errors };
  }
  if (minutesOfDay(parsed.data.start) + parsed.data.durationMinutes > 24 * 60)
    return { ok: false, errors: { durationMinutes: 'A slot ends by midnight: start it earlier or make it shorter.' } };
  return { ok: true, row: parsed.data };
}
