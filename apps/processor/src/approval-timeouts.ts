import type { WireDocument } from '@pourover/protocol';
import { NOT_APPROVED_IN_TIME } from '@pourover/schemas';
import { moveProcessed } from './move-processed.ts';
import type { OrderDeps } from './order-deps.ts';

/** How long after a failed rejection (the server unreachable) it is tried again. */
const RETRY_MS = 1_000;
/** The longest one timer runs (setTimeout's limit); a longer wait is timed again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type ApprovalExpiry = 'rejected' | 'answered';

/**
 * Rejects an order whose wait for approval is over, as one batch whose
 * precondition is the order as read, waiting: an approval (or a cancel)
 * that landed first wins, and this answers `answered`. The server gives the
 * slot place back in the same commit; the charge is refunded after, like
 * any rejected order's.
 */
export async function expireApproval(
  deps: Pick<OrderDeps, 'client' | 'credentials'>,
  replica: string,
  order: WireDocument,
): Promise<ApprovalExpiry> {
  const result = await moveProcessed(deps, replica, order, { status: 'rejected', rejectReason: NOT_APPROVED_IN_TIME });
  return result.ok ? 'rejected' : 'answered';
}

type ApprovalTimeoutsOptions = {
  /** Rejects the order, as `expireApproval` does. */
  expire: (replica: string, order: WireDocument) => Promise<ApprovalExpiry>;
  now: () => Date;
  onExpired: (replica: string, id: string, outcome: ApprovalExpiry) => void;
  onFailure: (replica: string, id: string, error: unknown) => void;
};

/**
 * One timer per order awaiting approval, to the `approveBy` the server
 * stamped on it. The wait is durable because it is the order's own state:
 * the processor's watch of processed orders delivers every waiting order
 * again from the initial state after a restart, and its timer is set again
 * (one already past fires at once). An order that leaves the wait drops its timer.
 */
export class ApprovalTimeouts {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #options: ApprovalTimeoutsOptions;

  constructor(options: ApprovalTimeoutsOptions) {
    this.#options = options;
  }

  /** How many orders are waiting for approval. */
  get waiting(): number {
    return this.#timers.size;
  }

  /** Takes in a processed order as the watch delivers it. */
  see(replica: string, order: WireDocument): void {
    const key = `${replica}/${order.id}`;
    this.#drop(key);
    const approveBy = order['approveBy'];
    if (order._deleted || order['status'] !== 'awaitingApproval' || typeof approveBy !== 'string') return;
    this.#arm(key, replica, order, Date.parse(approveBy) - this.#options.now().getTime());
  }

  /** Drops every timer: the processor closes, or lost its lease. */
  clear(): void {
    for (const key of [...this.#timers.keys()]) this.#drop(key);
  }

  #arm(key: string, replica: string, order: WireDocument, delayMs: number) {
    const timer = setTimeout(
      () => {
        if (this.#timers.get(key) !== timer) return;
        const left = Date.parse(String(order['approveBy'])) - this.#options.now().getTime();
        if (left > 0) return this.#arm(key, replica, order, left);
        this.#options.expire(replica, order).then(
          (outcome) => {
            if (this.#timers.get(key) === timer) this.#timers.delete(key);
            this.#options.onExpired(replica, order.id, outcome);
          },
          (error: unknown) => {
            this.#options.onFailure(replica, order.id, error);
            if (this.#timers.get(key) === timer) this.#arm(key, replica, order, RETRY_MS);
          },
        );
      },
      Math.min(Math.max(0, delayMs), MAX_TIMER_MS),
    );
    this.#timers.set(key, timer);
  }

  #drop(key: string) {
    const timer = this.#timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(key);
  }
}
