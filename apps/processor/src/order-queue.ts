import type { Order } from '@pourover/schemas';
import { orderKey } from './journal.ts';

/** One piece of work on one order: processing it (placed), or giving its charge back (ended). */
export type Task = { kind: 'process'; order: Order } | { kind: 'refund'; id: string };

type Pending = { replica: string; task: Task; attempts: number; notBefore: number };

const BASE_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

const idOf = (task: Task) => (task.kind === 'process' ? task.order.id : task.id);
const keyOf = (pending: Pick<Pending, 'replica' | 'task'>) => orderKey(pending.replica, idOf(pending.task));

/**
 * Work waiting on orders, once each (by replica, id and kind): an order
 * seen again while its work waits or runs is not queued twice, and one
 * order's work runs one piece at a time, so its refund never runs beside
 * its processing (a refund asked for while the order is processed waits
 * for the processing to end). A failed piece waits longer after each
 * failure (with jitter) before it is tried again.
 */
export class OrderQueue {
  readonly #waiting = { process: new Map<string, Pending>(), refund: new Map<string, Pending>() };
  readonly #running = new Map<string, Pending>();

  add(replica: string, order: Order) {
    this.#queue({ replica, task: { kind: 'process', order }, attempts: 0, notBefore: 0 });
  }

  /** Queues giving back the charge of an order that ended cancelled or rejected. */
  addRefund(replica: string, id: string) {
    this.#queue({ replica, task: { kind: 'refund', id }, attempts: 0, notBefore: 0 });
  }

  #queue(pending: Pending) {
    const key = keyOf(pending);
    if (this.#running.get(key)?.task.kind === pending.task.kind || this.#waiting[pending.task.kind].has(key)) return;
    this.#waiting[pending.task.kind].set(key, pending);
  }

  /** Forgets a waiting order's processing (it left placedOrders). */
  drop(replica: string, id: string) {
    this.#waiting.process.delete(orderKey(replica, id));
  }

  /** Takes the next piece of work that may run now: due, and on an order with nothing running. */
  take(now: number): Pending | undefined {
    for (const waiting of [this.#waiting.process, this.#waiting.refund]) {
      for (const [key, pending] of waiting) {
        if (pending.notBefore > now || this.#running.has(key)) continue;
        waiting.delete(key);
        this.#running.set(key, pending);
        return pending;
      }
    }
    return undefined;
  }

  finished(pending: Pending) {
    this.#running.delete(keyOf(pending));
  }

  failed(pending: Pending, now: number) {
    const key = keyOf(pending);
    this.#running.delete(key);
    const attempts = pending.attempts + 1;
    const delay = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** attempts) * (0.5 + Math.random() / 2);
    this.#waiting[pending.task.kind].set(key, { ...pending, attempts, notBefore: now + delay });
  }

  /** When the oldest order waiting or running to be processed was placed, if any is (for the processor's lag). */
  oldestPlaced(): string | undefined {
    let oldest: string | undefined;
    for (const pending of [...this.#waiting.process.values(), ...this.#running.values()]) {
      const placed = pending.task.kind === 'process' ? pending.task.order.placedTime : undefined;
      if (placed !== undefined && (oldest === undefined || placed < oldest)) oldest = placed;
    }
    return oldest;
  }

  /** When the earliest waiting piece of work may run, if any is waiting; work behind a running piece of its order is taken when that one ends. */
  nextDue(): number | undefined {
    let earliest: number | undefined;
    for (const waiting of [this.#waiting.process, this.#waiting.refund]) {
      for (const [key, pending] of waiting) if (!this.#running.has(key)) earliest = Math.min(earliest ?? Infinity, pending.notBefore);
    }
    return earliest;
  }

  /** Pieces of work waiting or running. */
  get size() {
    return this.#waiting.process.size + this.#waiting.refund.size + this.#running.size;
  }
}
