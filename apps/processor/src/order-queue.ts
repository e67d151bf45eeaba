import type { Order } from '@pourover/schemas';
import { orderKey } from './journal.ts';

type Pending = { replica: string; order: Order; attempts: number; notBefore: number };

const BASE_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * Placed orders waiting to be processed, once each (by replica and id): an
 * order seen again while waiting or in progress is not queued twice; a
 * failed one waits longer after each failure (with jitter) before it is
 * tried again.
 */
export class OrderQueue {
  readonly #waiting = new Map<string, Pending>();
  readonly #running = new Map<string, Pending>();

  add(replica: string, order: Order) {
    const key = orderKey(replica, order.id);
    if (this.#running.has(key) || this.#waiting.has(key)) return;
    this.#waiting.set(key, { replica, order, attempts: 0, notBefore: 0 });
  }

  /** Forgets a waiting order (it left placedOrders). */
  drop(replica: string, id: string) {
    this.#waiting.delete(orderKey(replica, id));
  }

  /** Takes the next order that may run now. */
  take(now: number): Pending | undefined {
    for (const [key, pending] of this.#waiting) {
      if (pending.notBefore > now) continue;
      this.#waiting.delete(key);
      this.#running.set(key, pending);
      return pending;
    }
    return undefined;
  }

  finished(pending: Pending) {
    this.#running.delete(orderKey(pending.replica, pending.order.id));
  }

  failed(pending: Pending, now: number) {
    const key = orderKey(pending.replica, pending.order.id);
    this.#running.delete(key);
    const attempts = pending.attempts + 1;
    const delay = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** attempts) * (0.5 + Math.random() / 2);
    this.#waiting.set(key, { ...pending, attempts, notBefore: now + delay });
  }

  /** When the oldest order waiting or running was placed, if any is (for the processor's lag). */
  oldestPlaced(): string | undefined {
    let oldest: string | undefined;
    for (const pending of [...this.#waiting.values(), ...this.#running.values()]) {
      const placed = pending.order.placedTime;
      if (placed !== undefined && (oldest === undefined || placed < oldest)) oldest = placed;
    }
    return oldest;
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
