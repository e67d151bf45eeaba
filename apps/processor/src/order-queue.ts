import type { Order } from '@pourover/schemas';

type Pending = { replica: string; order: Order; attempts: number; notBefore: number };

const BASE_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * Placed orders waiting to be processed, once each: an order seen again
 * while waiting or in progress is not queued twice; a failed one waits
 * longer after each failure (with jitter) before it is tried again.
 */
export class OrderQueue {
  readonly #waiting = new Map<string, Pending>();
  readonly #running = new Set<string>();

  add(replica: string, order: Order) {
    if (this.#running.has(order.id) || this.#waiting.has(order.id)) return;
    this.#waiting.set(order.id, { replica, order, attempts: 0, notBefore: 0 });
  }

  /** Forgets a waiting order (it left placedOrders). */
  drop(id: string) {
    this.#waiting.delete(id);
  }

  /** Takes the next order that may run now. */
  take(now: number): Pending | undefined {
    for (const [id, pending] of this.#waiting) {
      if (pending.notBefore > now) continue;
      this.#waiting.delete(id);
      this.#running.add(id);
      return pending;
    }
    return undefined;
  }

  finished(id: string) {
    this.#running.delete(id);
  }

  failed(pending: Pending, now: number) {
    this.#running.delete(pending.order.id);
    const attempts = pending.attempts + 1;
    const delay = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** attempts) * (0.5 + Math.random() / 2);
    this.#waiting.set(pending.order.id, { ...pending, attempts, notBefore: now + delay });
  }

  /** When the earliest waiting order may run, if any is waiting. */
  nextDue(): number | undefined {
    let earliest: number | undefined;
    for (const pending of this.#waiting.values()) earliest = Math.min(earliest ?? Infinity, pending.notBefore);
    return earliest;
  }

  get size() {
    return this.#waiting.size + this.#running.size;
  }
}
