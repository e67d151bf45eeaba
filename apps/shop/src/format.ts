const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const when = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const hour = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' });
const count = new Intl.NumberFormat('en-US');

export const formatCents = (cents: number) => money.format(cents / 100);
export const formatTime = (iso: string) => when.format(new Date(iso));
export const formatHour = (iso: string) => hour.format(new Date(iso));
export const formatCount = (n: number) => count.format(n);

/** An order's number as a shopper reads it out: the first 8 characters of its id, in capitals. */
export const orderNumber = (id: string) => `#${id.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

/** A slot as a shopper chooses it: its day and hours. */
export const formatSlot = (slot: { start: string; end: string }) => `${formatTime(slot.start)}–${formatHour(slot.end)}`;

export const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;
