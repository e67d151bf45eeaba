import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MAX_BATCH_CALLS, type WatchEvent } from '@pourover/protocol';
import { createSyncClient, fixedCredentials, type SyncClient } from '@pourover/sync-client';
import type { Order } from '@pourover/schemas';
import { EventSource } from 'eventsource';
import { ApprovalTimeouts, expireApproval } from './approval-timeouts.ts';
import { Journal } from './journal.ts';
import { OrderQueue } from './order-queue.ts';
import type { PaymentGateway } from './payment-gateway.ts';
import { silentLogger, type Logger } from './processor-logger.ts';
import { processorMetrics, type ProcessorMetrics } from './processor-metrics.ts';
import { RestartingWatch } from './restarting-watch.ts';
import { processOrder, profileTokens, type OrderDeps } from './process-order.ts';
import { refundOrder } from './refund-order.ts';

export type ProcessorOptions = {
  /** The sync server's base URL. */
  server: string;
  /** The store's (`bluebottle`) blessing token. */
  token: string;
  /** The journal's SQLite file. */
  journal: string;
  gateway: PaymentGateway;
  /** Orders processed at once. */
  concurrency?: number;
  leaseTtlMs?: number;
  gatewayTimeoutMs?: number;
  /** Where the processor logs: a line per order at info, lease renewals at debug (default: nothing). */
  logger?: Logger;
  /** Whether its metrics include the process's own (CPU, memory, event loop), as the CLI's do. */
  processMetrics?: boolean;
  now?: () => Date;
};

export type ProcessorStats = {
  processed: number;
  rejected: number;
  /** Orders found cancelled by their shopper before the processor's move. */
  cancelled: number;
  /** Charges of cancelled or rejected orders given back and recorded on the order (besides a rejection's own). */
  refunded: number;
  pending: number;
  failures: number;
  holdsLease: boolean;
};

/** The lease one processor at a time holds; the owner's dashboard reads its holder by this name (apps/shop/src/owner/board-groups.ts). */
const LEASE = 'order-processor';

/**
 * The store's order processor: holds the processor lease, watches every
 * shopper's placedOrders from the initial state on, and processes each order
 * exactly once; watches their processedOrders the same way, and gives back
 * the charge of each order that ended cancelled or rejected, exactly once,
 * and rejects each order awaiting approval whose wait is over.
 * Whenever a watch stops, for any reason, it watches again from the initial
 * state.
 */
export class OrderProcessor {
  readonly #client: SyncClient;
  readonly #journal: Journal;
  readonly #queue = new OrderQueue();
  readonly #deps: OrderDeps;
  readonly #options: Required<Pick<ProcessorOptions, 'concurrency' | 'leaseTtlMs'>> & ProcessorOptions;
  readonly #logger: Logger;
  readonly #metrics: ProcessorMetrics;
  /** Names this run where the store's dashboard shows the lease holder: its machine and process, unique by a random tail. */
  readonly #holder = `${hostname().slice(0, 64)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #listeners = new Set<(stats: ProcessorStats) => void>();
  readonly #stats: ProcessorStats = { processed: 0, rejected: 0, cancelled: 0, refunded: 0, pending: 0, failures: 0, holdsLease: false };
  readonly #watches: { placed: RestartingWatch; processed: RestartingWatch };
  readonly #approvals: ApprovalTimeouts;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #pumpScheduled = false;
  #running = 0;
  readonly #initialized = { placed: false, processed: false };
  #closed = false;
  #idle: (() => void) | undefined;

  constructor(options: ProcessorOptions) {
    this.#options = { concurrency: 64, leaseTtlMs: 10_000, ...options };
    this.#logger = options.logger ?? silentLogger;
    const now = options.now ?? (() => new Date());
    this.#metrics = processorMetrics(
      { queued: () => this.#queue.size, oldestPlaced: () => this.#queue.oldestPlaced() },
      { processMetrics: options.processMetrics ?? false, now },
    );
    this.#client = createSyncClient({ url: options.server, token: () => options.token, EventSource, batchCalls: MAX_BATCH_CALLS });
    this.#journal = new Journal(options.journal);
    const credentials = fixedCredentials(options.token);
    this.#deps = {
      client: this.#client,
      credentials,
      journal: this.#journal,
      gateway: this.#metrics.counted(options.gateway),
      now,
      gatewayTimeoutMs: options.gatewayTimeoutMs ?? 10_000,
      profileToken: profileTokens(this.#client, credentials),
      warn: (message, fields) => this.#logger.warn(fields, message),
      refunds: (result) => this.#metrics.refund(result),
    };
    this.#approvals = new ApprovalTimeouts({
      expire: (replica, order) => expireApproval(this.#deps, replica, order),
      now,
      onExpired: (replica, id, outcome) =>
        this.#logger.info({ order: id, shopper: replica, approval: outcome === 'rejected' ? 'timedOut' : outcome }),
      onFailure: (replica, id, error) => this.#logger.warn({ order: id, shopper: replica, approval: 'retry', error: String(error) }),
    });
    this.#watches = {
      placed: this.#watching('placedOrders', (event) => this.#receivePlaced(event)),
      processed: this.#watching('processedOrders', (event) => this.#receiveProcessed(event)),
    };
  }

  #watching(collection: 'placedOrders' | 'processedOrders', onEvent: (event: WatchEvent) => void): RestartingWatch {
    return new RestartingWatch({
      subscribe: (handlers) => this.#client.sync.watch.subscribe({ collection }, handlers),
      onEvent,
      onRestart: (why, delayMs) =>
        this.#logger.warn({ collection }, `watching again from the initial state in ${Math.round(delayMs)} ms: ${why}`),
    });
  }

  /** How many times a watch stopped and was started again from the initial state. */
  get watchRestarts(): number {
    return this.#watches.placed.restarts + this.#watches.processed.restarts;
  }

  /** The registry of the processor's metrics (queue length, lag, orders, failures, charges), for a scraper. */
  get metrics(): ProcessorMetrics['registry'] {
    return this.#metrics.registry;
  }

  get stats(): ProcessorStats {
    return { ...this.#stats, pending: this.#queue.size };
  }

  onStats(listener: (stats: ProcessorStats) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Waits for the lease, then processes until closed. */
  async start(): Promise<void> {
    await this.#holdLease();
    this.#startWatch();
  }

  /** Processes every order placed now and refunds every order ended now (the initial states), and resolves when nothing is left. */
  async runOnce(): Promise<void> {
    await this.start();
    await new Promise<void>((resolve) => {
      this.#idle = resolve;
      this.#checkIdle();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopWatches();
    for (const timer of this.#timers) clearTimeout(timer);
    while (this.#running > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.#stats.holdsLease) await this.#client.sync.lease.mutate({ name: LEASE, holder: this.#holder, ttlMs: 1_000 }).catch(() => {});
    this.#journal.close();
  }

  #later(ms: number, run: () => void) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  /** Takes the lease (waiting while another processor holds it) and keeps renewing it. */
  async #holdLease(): Promise<void> {
    const ttlMs = this.#options.leaseTtlMs;
    for (;;) {
      if (this.#closed) return;
      const lease = await this.#client.sync.lease.mutate({ name: LEASE, holder: this.#holder, ttlMs }).catch(() => undefined);
      if (lease?.granted) break;
      await new Promise((resolve) => setTimeout(resolve, ttlMs / 4));
    }
    this.#setStats({ holdsLease: true });
    this.#logger.info({ holder: this.#holder }, 'holding the processor lease');
    const renew = () => {
      if (this.#closed) return;
      this.#client.sync.lease.mutate({ name: LEASE, holder: this.#holder, ttlMs }).then(
        (lease) => {
          if (lease.granted) {
            this.#logger.debug({ holder: this.#holder, expiresAt: lease.expiresAt }, 'renewed the processor lease');
            return this.#later(ttlMs / 3, renew);
          }
          this.#logger.warn({ holder: lease.holder }, 'lost the processor lease; waiting to take it again');
          this.#setStats({ holdsLease: false });
          this.#stopWatches();
          void this.start();
        },
        () => this.#later(ttlMs / 10, renew),
      );
    };
    this.#later(ttlMs / 3, renew);
  }

  #startWatch() {
    if (this.#closed || !this.#stats.holdsLease) return;
    this.#watches.placed.start();
    this.#watches.processed.start();
  }

  #stopWatches() {
    this.#watches.placed.stop();
    this.#watches.processed.stop();
    this.#approvals.clear();
  }

  #receivePlaced(event: WatchEvent) {
    if (event.kind === 'initialized') {
      this.#initialized.placed = true;
      this.#checkIdle();
      return;
    }
    for (const { replica, document } of event.documents) {
      if (document._deleted || document['status'] !== 'placed') this.#queue.drop(replica, document.id);
      else {
        const { _deleted, ...order } = document;
        this.#queue.add(replica, order as unknown as Order);
      }
    }
    this.#pump();
  }

  /**
   * An order that ended cancelled or rejected with no refund recorded may
   * hold a charge to give back; one awaiting approval is rejected when its wait ends.
   */
  #receiveProcessed(event: WatchEvent) {
    if (event.kind === 'initialized') {
      this.#initialized.processed = true;
      this.#checkIdle();
      return;
    }
    for (const { replica, document } of event.documents) {
      this.#approvals.see(replica, document);
      const ended = document['status'] === 'cancelled' || document['status'] === 'rejected';
      if (!document._deleted && ended && document['refundedTime'] === undefined) this.#queue.addRefund(replica, document.id);
    }
    this.#pump();
  }

  #pump() {
    while (!this.#closed && this.#running < this.#options.concurrency) {
      const pending = this.#queue.take(Date.now());
      if (!pending) break;
      this.#running += 1;
      const started = performance.now();
      const { replica, task } = pending;
      const work = task.kind === 'process' ? this.#process(replica, task.order, started) : this.#refund(replica, task.id, started);
      work
        .then(
          () => this.#queue.finished(pending),
          (error: unknown) => {
            this.#queue.failed(pending, Date.now());
            this.#metrics.failed();
            const id = task.kind === 'process' ? task.order.id : task.id;
            const what = task.kind === 'process' ? { outcome: 'retry' } : { refund: 'retry' };
            this.#logger.warn({ order: id, shopper: replica, ...what, error: String(error) });
            this.#setStats({ failures: this.#stats.failures + 1 });
          },
        )
        .finally(() => {
          this.#running -= 1;
          this.#pump();
          this.#checkIdle();
        });
    }
    const due = this.#queue.nextDue();
    if (due === undefined || this.#pumpScheduled || this.#running >= this.#options.concurrency) return;
    this.#pumpScheduled = true;
    this.#later(Math.max(0, due - Date.now()), () => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  async #process(replica: string, order: Order, started: number) {
    const result = await processOrder(this.#deps, replica, order);
    this.#metrics.processed(result.outcome);
    this.#logger.info({
      order: order.id,
      shopper: replica,
      outcome: result.outcome,
      ...(result.reason ? { reason: result.reason } : {}),
      ms: Math.round(performance.now() - started),
    });
    const counted = { received: 'processed', rejected: 'rejected', cancelled: 'cancelled' } as const;
    this.#setStats({ [counted[result.outcome]]: this.#stats[counted[result.outcome]] + 1 });
    // An order that ended other than received may hold a charge to give back; its refund runs next.
    if (result.outcome !== 'received') this.#queue.addRefund(replica, order.id);
  }

  async #refund(replica: string, id: string, started: number) {
    const refund = await refundOrder(this.#deps, replica, id);
    const ms = Math.round(performance.now() - started);
    if (refund !== 'refunded') return this.#logger.debug({ order: id, shopper: replica, refund, ms });
    this.#logger.info({ order: id, shopper: replica, refund, ms });
    this.#setStats({ refunded: this.#stats.refunded + 1 });
  }

  #checkIdle() {
    const initialized = this.#initialized.placed && this.#initialized.processed;
    if (this.#idle && initialized && this.#queue.size === 0 && this.#running === 0) {
      const resolve = this.#idle;
      this.#idle = undefined;
      resolve();
    }
  }

  #setStats(change: Partial<ProcessorStats>) {
    Object.assign(this.#stats, change);
    const stats = this.stats;
    for (const listener of this.#listeners) listener(stats);
  }
}
