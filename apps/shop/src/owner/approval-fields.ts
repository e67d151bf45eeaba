import { MAX_APPROVAL_MINUTES, STORE_SETTINGS_ID, type StoreSettings } from '@pourover/schemas';
import { parseDollars, type Parsed } from './money.ts';

/** The approval setting as the owner's form holds it: on or off, the amount in dollars and the wait in minutes, as typed. */
export type ApprovalFields = { on: boolean; above: string; minutes: string };
export type ApprovalErrors = { above?: string; minutes?: string };

/** The wait for approval as typed: whole minutes from 1 to 1,440. */
export function parseMinutes(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'Enter a whole number of minutes, like 30.' };
  const value = Number(trimmed);
  if (value < 1) return { ok: false, error: 'An order waits at least 1 minute.' };
  if (value > MAX_APPROVAL_MINUTES) return { ok: false, error: 'An order waits at most 1,440 minutes (a day).' };
  return { ok: true, value };
}

/** The store's settings the form's fields make, or what is wrong with each field. */
export function settingsOf(fields: ApprovalFields): { ok: true; settings: StoreSettings } | { ok: false; errors: ApprovalErrors } {
  const minutes = parseMinutes(fields.minutes);
  const above = fields.on ? parseDollars(fields.above) : ({ ok: true, value: null } as const);
  if (!minutes.ok || !above.ok)
    return { ok: false, errors: { ...(above.ok ? {} : { above: above.error }), ...(minutes.ok ? {} : { minutes: minutes.error }) } };
  return { ok: true, settings: { id: STORE_SETTINGS_ID, approvalAboveCents: above.value, approvalMinutes: minutes.value } };
}
