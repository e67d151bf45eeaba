import type { OrderView } from './order-view.ts';

/**
 * What the app should tell the shopper:
 * - `unreceived`: a placed order the store has not received after the configured time;
 * - `split`: edits that reached the server after their order was placed were kept as a new draft;
 * - `refused`: the server did not place a draft the shopper placed, for `reason`; it is a draft again.
 */
export type Notice =
  | { kind: 'unreceived'; key: string; orderId: string; placedTime: string; waitingMs: number }
  | { kind: 'split'; key: string; draftId: string; fromOrderId: string }
  | { kind: 'refused'; key: string; draftId: string; reason: string };

export function noticesOf(
  orders: readonly OrderView[],
  options: { now: number; unreceivedAfterMs: number; dismissed: ReadonlySet<string> },
): Notice[] {
  const notices: Notice[] = [];
  for (const order of orders) {
    if (order.status === 'placed' && order.placedTime) {
      const waitingMs = options.now - Date.parse(order.placedTime);
      if (waitingMs >= options.unreceivedAfterMs) {
        notices.push({ kind: 'unreceived', key: `unreceived:${order.id}`, orderId: order.id, placedTime: order.placedTime, waitingMs });
      }
    }
    if (order.status === 'draft' && order.splitFrom) {
      notices.push({ kind: 'split', key: `split:${order.id}`, draftId: order.id, fromOrderId: order.splitFrom });
    }
    if (order.status === 'draft' && order.refusal) {
      notices.push({ kind: 'refused', key: `refused:${order.id}:${order.refusal.at}`, draftId: order.id, reason: order.refusal.reason });
    }
  }
  return notices.filter((notice) => !options.dismissed.has(notice.key));
}
