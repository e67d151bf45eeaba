const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
const when = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

export const formatCents = (cents: number) => money.format(cents / 100);
export const formatTime = (iso: string) => when.format(new Date(iso));

/** Words a shopper understands for an error from anywhere below. */
export function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Failed to fetch|NetworkError|fetch failed/i.test(message)) return 'You are offline. Try again when you are back online.';
  return message;
}
