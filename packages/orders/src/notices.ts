import type { OrderStatus } from '@pourover/schemas';
import type { OrderView } from './order-view.ts';

/**
 * What the app should tell the shopper:
 * - `unreceived`: a placed order the store has not received after the configured time;
 * - `split`: edits that reached the server after their order was placed were kept as a new draft;
 * - `refused`: the server did not place a draft the shopper placed, for `reason`; it is a draft again;
 * - `cancelRefused`: the shopper asked to cancel an order and the server said no, for `reason`;
 * - `rejected`: the store turned an order down, for `reason`;
 * - `storeCancelled`: the store cancelled an order, for `reason`;
 * - `late`: an order not yet delivered whose slot ended more than the configured time ago.
 */
export type Notice =
  | { kind: 'unreceived'; key: string; orderId: string; placedTime: string; waitingMs: number }
  | { kind: 'split'; key: string; draftId: string; fromOrderId: string }
  | { kind: 'refused'; key: string; draftId: string; reason: string }
  | { kind: 'cancelRefused'; key: string; orderId: string; reason: string }
  | { kind: 'rejected'; key: string; orderId: string; reason: string }
  | { kind: 'storeCancelled'; key: string; orderId: string; reason: string }
  | { kind: 'late'; key: string; orderId: string; slotEnd: string; lateMs: number };

export type NoticeOptions = {
  /** The clock notices are judged by, in milliseconds since the epoch. */
  now: number;
  unreceivedAfterMs: number;
  /** How long after its slot's end an undelivered order is late. */
  lateAfterMs: number;
  /** How long an order's end (a rejection, the store's cancellation, a refused request) stays news. */
  recentMs: number;
  dismissed: ReadonlySet<string>;
};

/** The statuses of an order on its way that a slot's end can pass: placed (sent) up to out for delivery. */
const underway: readonly OrderStatus[] = ['placed', 'awaitingApproval', 'received', 'preparing', 'ready', 'outForDelivery'];

/** When the order entered its current status, by the server's clock. */
function enteredAt(order: OrderView): string {
  const step = order.steps.findLast((candidate) => candidate.status === order.status);
  return step?.at ?? order.receivedTime ?? order.placedTime ?? order.createdTime;
}

function noticesOfOrder(order: OrderView, options: NoticeOptions): Notice[] {
  const notices: Notice[] = [];
  const recent = (at: string) => options.now - Date.parse(at) < options.recentMs;
  const { id } = order;
  if (order.status === 'placed' && order.placedTime) {
    const waitingMs = options.now - Date.parse(order.placedTime);
    if (waitingMs >= options.unreceivedAfterMs)
      notices.push({ kind: 'unreceived', key: `unreceived:${id}`, orderId: id, placedTime: order.placedTime, waitingMs });
  }
  if (underway.includes(order.status) && order.slot) {
    const lateMs = options.now - Date.parse(order.slot.end);
    if (lateMs >= options.lateAfterMs) notices.push({ kind: 'late', key: `late:${id}`, orderId: id, slotEnd: order.slot.end, lateMs });
  }
  if (order.status === 'draft' && order.splitFrom)
    notices.push({ kind: 'split', key: `split:${id}`, draftId: id, fromOrderId: order.splitFrom });
  if (order.status === 'draft' && order.refusal)
    notices.push({ kind: 'refused', key: `refused:${id}:${order.refusal.at}`, draftId: id, reason: order.refusal.reason });
  if (order.status === 'rejected' && recent(enteredAt(order)))
    notices.push({ kind: 'rejected', key: `rejected:${id}`, orderId: id, reason: order.rejectReason ?? 'no reason was given' });
  if (order.status === 'cancelled' && order.cancelledBy === 'store' && recent(enteredAt(order)))
    notices.push({ kind: 'storeCancelled', key: `cancelled:${id}`, orderId: id, reason: order.cancelReason ?? 'no reason was given' });
  const request = order.cancelRequest;
  if (request?.state === 'refused' && recent(request.answer.at))
    notices.push({ kind: 'cancelRefused', key: `cancelRefused:${id}:${request.answer.at}`, orderId: id, reason: request.answer.reason });
  return notices;
}

/** The notices the orders call for now, less those the shopper dismissed. */
export function noticesOf(orders: readonly OrderView[], options: NoticeOptions): Notice[] {
  return orders.flatMap((order) => noticesOfOrder(order, options)).filter((notice) => !options.dismissed.has(notice.key));
}
