import type { WireDocument } from '@pourover/protocol';
import type { Order, OrderStatus, OrderStep } from '@pourover/schemas';

/**
 * One order on the owner's boards: the shopper replica it lives in, the
 * order, and the document exactly as the server holds it (a move's
 * precondition names it).
 */
export type BoardRow = { replica: string; order: Order; state: WireDocument };

/** The prep queue's steps, in the order an order goes through them. */
export const prepStages = ['placed', 'received', 'preparing', 'ready'] as const;
export type PrepStage = (typeof prepStages)[number];

const ENDED: readonly OrderStatus[] = ['delivered', 'cancelled', 'rejected'];

/** How many ended orders the Done list shows, newest first. */
export const DONE_SHOWN = 30;

/** The step an order is at and since when: its last stamped step, else the time it was received or placed. */
export function currentStep(order: Order): OrderStep | { status: OrderStatus; at: string | undefined } {
  const last = order.steps?.at(-1);
  if (last?.status === order.status) return last;
  return { status: order.status, at: order.receivedTime ?? order.placedTime };
}

/** When an order reached its current step, as a sortable ISO string ('' when unknown). */
const stepTime = (row: BoardRow) => currentStep(row.order).at ?? '';
const placedTime = (row: BoardRow) => row.order.placedTime ?? row.order.createdTime;

/**
 * Every order known to the store once: a processed order over the placed
 * one it came from (the two watches may briefly both hold it).
 */
export function mergeRows(placed: readonly BoardRow[], processed: readonly BoardRow[]): BoardRow[] {
  const processedIds = new Set(processed.map((row) => row.order.id));
  return [...processed, ...placed.filter((row) => !processedIds.has(row.order.id))];
}

export type PrepBoard = {
  /** Orders the store's setting holds for the owner's approval, the soonest to time out first. */
  awaiting: BoardRow[];
  /** Orders at each step of the prep queue, oldest placed first (the order they are made in). */
  stages: Record<PrepStage, BoardRow[]>;
  /** Orders on their way: the Deliveries board's. */
  outForDelivery: number;
  /** Ended orders, newest first, at most DONE_SHOWN of them. */
  done: BoardRow[];
  /** How many orders have ended in all. */
  doneCount: number;
};

/** The Orders board: every order by its step. */
export function prepBoard(rows: readonly BoardRow[], doneShown = DONE_SHOWN): PrepBoard {
  const stages: Record<PrepStage, BoardRow[]> = { placed: [], received: [], preparing: [], ready: [] };
  const done: BoardRow[] = [];
  const awaiting: BoardRow[] = [];
  let outForDelivery = 0;
  for (const row of rows) {
    const { status } = row.order;
    if (status === 'outForDelivery') outForDelivery++;
    else if (status === 'awaitingApproval') awaiting.push(row);
    else if (ENDED.includes(status)) done.push(row);
    else if ((prepStages as readonly string[]).includes(status)) stages[status as PrepStage].push(row);
  }
  for (const stage of prepStages) stages[stage].sort((a, b) => placedTime(a).localeCompare(placedTime(b)));
  done.sort((a, b) => stepTime(b).localeCompare(stepTime(a)));
  awaiting.sort((a, b) => (a.order.approveBy ?? '').localeCompare(b.order.approveBy ?? ''));
  return { awaiting, stages, outForDelivery, done: done.slice(0, doneShown), doneCount: done.length };
}

export type DeliveryBoard = {
  /** Ready, with no driver yet. */
  pending: BoardRow[];
  /** Ready, with a driver assigned, not yet gone. */
  assigned: BoardRow[];
  /** Out for delivery. */
  out: BoardRow[];
};

/** The Deliveries board: ready and out-for-delivery orders, soonest slot first. */
export function deliveryBoard(rows: readonly BoardRow[], slotStart: (slotId: string | null) => string | undefined): DeliveryBoard {
  const board: DeliveryBoard = { pending: [], assigned: [], out: [] };
  for (const row of rows) {
    if (row.order.status === 'outForDelivery') board.out.push(row);
    else if (row.order.status === 'ready') (row.order.driverId ? board.assigned : board.pending).push(row);
  }
  // An order whose slot is unknown goes last: nobody can plan its trip yet.
  const startOf = (row: BoardRow) => slotStart(row.order.slotId);
  const bySlot = (a: BoardRow, b: BoardRow) => {
    const [x, y] = [startOf(a), startOf(b)];
    return x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : x.localeCompare(y);
  };
  const soonest = (a: BoardRow, b: BoardRow) => bySlot(a, b) || placedTime(a).localeCompare(placedTime(b));
  for (const list of Object.values(board)) list.sort(soonest);
  return board;
}

export type QueueHealth = {
  /** Placed orders the processor has not yet received: its queue. */
  waiting: number;
  /** When the longest-waiting of them was placed. */
  oldestWaiting: string | undefined;
  /** When the processor last received (or turned down) an order. */
  lastProcessed: string | undefined;
};

/** The processor's queue as the store's watches show it. */
export function queueHealth(placed: readonly BoardRow[], processed: readonly BoardRow[]): QueueHealth {
  const processedIds = new Set(processed.map((row) => row.order.id));
  const waiting = placed.filter((row) => !processedIds.has(row.order.id)).map(placedTime);
  const received = processed.map((row) => row.order.receivedTime ?? row.order.steps?.[0]?.at ?? '').filter(Boolean);
  const latest = (times: string[]) =>
    times.reduce<string | undefined>((best, time) => (best === undefined || time > best ? time : best), undefined);
  const earliest = (times: string[]) =>
    times.reduce<string | undefined>((best, time) => (best === undefined || time < best ? time : best), undefined);
  return { waiting: waiting.length, oldestWaiting: earliest(waiting), lastProcessed: latest(received) };
}

/** The lease the order processor holds while it runs (apps/processor/src/processor.ts names it). */
export const PROCESSOR_LEASE = 'order-processor';

export type LeaseState =
  { kind: 'none' } | { kind: 'held'; holder: string; until: string } | { kind: 'lapsed'; holder: string; since: string };

/** Whether a processor holds the lease, judged by the server's clock: none ever took it, one holds it, or the last one's ran out. */
export function leaseState(lease: { holder: string; expiresAt: string } | null, serverNow: string): LeaseState {
  if (!lease) return { kind: 'none' };
  return lease.expiresAt > serverNow
    ? { kind: 'held', holder: lease.holder, until: lease.expiresAt }
    : { kind: 'lapsed', holder: lease.holder, since: lease.expiresAt };
}
