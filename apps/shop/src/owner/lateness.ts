import type { Order, OrderStatus } from '@pourover/schemas';

/** Statuses in which an order can no longer be late: it arrived, or it will not. */
const SETTLED: readonly OrderStatus[] = ['delivered', 'cancelled', 'rejected'];

/**
 * How many milliseconds an order is past the end of its delivery slot, or
 * undefined when it is not late: delivered or ended, no slot, or the slot
 * not yet over.
 */
export function lateBy(order: Pick<Order, 'status'>, slot: { end: string } | undefined, now: Date): number | undefined {
  if (!slot || SETTLED.includes(order.status)) return undefined;
  const past = now.getTime() - Date.parse(slot.end);
  return past > 0 ? past : undefined;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How late, in words a driver reads at a glance: "Late by 4 min", "Late by 2 h 5 min", "Late by 3 days". */
export function lateWords(ms: number): string {
  if (ms >= DAY) {
    const days = Math.floor(ms / DAY);
    return `Late by ${days} ${days === 1 ? 'day' : 'days'}`;
  }
  const minutes = Math.max(1, Math.floor(ms / MINUTE));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `Late by ${minutes} min`;
  return rest === 0 ? `Late by ${hours} h` : `Late by ${hours} h ${rest} min`;
}
