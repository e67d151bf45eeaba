/** The most a catalog item may cost, in cents (the schema's bound for money). */
export const MAX_PRICE_CENTS = 100_000_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A price as the owner types it, in dollars ("4.5", "$19.99", "1,250"), as integer cents; anything else is said in words. */
export function parseDollars(text: string): Parsed<number> {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (cleaned === '') return { ok: false, error: 'Enter a price in dollars, like 4.50.' };
  if (cleaned.startsWith('-')) return { ok: false, error: 'A price cannot be negative.' };
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return { ok: false, error: 'Enter dollars and at most two digits of cents, like 19.99.' };
  const [whole = '0', fraction = ''] = cleaned.split('.');
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (cents > MAX_PRICE_CENTS) return { ok: false, error: 'A price is at most $1,000,000.00.' };
  return { ok: true, value: cents };
}

/** Cents as the owner edits them: dollars with two decimals, no symbol. */
export const dollarsOf = (cents: number) => (cents / 100).toFixed(2);

/** A slot's capacity as typed: a whole number of places, no fewer than are taken, at most 10,000. */
export function parseCapacity(text: string, taken: number): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'Enter a whole number of places, like 12.' };
  const value = Number(trimmed);
  if (value < taken) return { ok: false, error: `${taken} places are already taken: the capacity cannot go below that.` };
  if (value > 10_000) return { ok: false, error: 'A slot has at most 10,000 places.' };
  return { ok: true, value };
}

/** An instant as a `datetime-local` input shows it, in the owner's own time zone. */
export function localInputOf(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A cutoff typed in a `datetime-local` input (the owner's time zone), as the ISO time the slot keeps; it must come before the slot starts. */
export function parseCutoff(text: string, start: string): Parsed<string> {
  const date = new Date(text);
  if (!text || Number.isNaN(date.getTime())) return { ok: false, error: 'Choose a day and time for the cutoff.' };
  const iso = date.toISOString();
  if (iso > start) return { ok: false, error: 'Orders must close before the slot starts: choose an earlier cutoff.' };
  return { ok: true, value: iso };
}
