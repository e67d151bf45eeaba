import { MAX_BATCH_CALLS } from '@pourover/protocol';
import { slotScheduleRow, type SlotScheduleRow } from '@pourover/schemas';
import { createSyncClient, fixedCredentials, withRecovery, type Credentials, type SyncClient } from '@pourover/sync-client';
import { EventSource } from 'eventsource';
import type { ZodType } from 'zod';
import type { Logger } from '../processor-logger.ts';
import { RestartingWatch } from '../restarting-watch.ts';
import { heldSlots } from './held-slots.ts';
import { planSlotWrites, type SlotWrite } from './plan-slot-writes.ts';
import { slotOperation } from './slot-writes.ts';
import { WatchedCollection } from './watched-collection.ts';

export type SlotSchedulerOptions = {
  /** The sync server's base URL. */
  server: string;
  /** The store's (`bluebottle`) blessing token. */
  token: string;
  /** How many days ahead slots are published (default 14). */
  horizonDays?: number;
  /** How often slots are brought up to date with no change to the schedule, as days roll over (default hourly). */
  intervalMs?: number;
  logger: Logger;
  now?: () => Date;
};

/** How long after a write found the slots changed under it (a place taken meanwhile, another processor) the plan is made again. */
const RETRY_MS = 2_000;
/** Batches sent at once; the client packs them into few requests. */
const AT_ONCE = 50;

/**
 * Keeps the store's slots for the coming days generated from its weekly
 * schedule: it watches the schedule (from the initial state, again after
 * any failure), reads the slots, and plans and writes the difference at
 * start, whenever the schedule changes, and every hour. Every write has a
 * precondition, so a rerun, a restart or a second processor never
 * duplicates a slot nor overwrites its places taken.
 */
export class SlotScheduler {
  readonly #options: Required<Omit<SlotSchedulerOptions, 'now'>> & { now: () => Date };
  readonly #client: SyncClient;
  readonly #credentials: Credentials;
  readonly #schedule: WatchedCollection<SlotScheduleRow>;
  readonly #watch: RestartingWatch;
  readonly #settled = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #active = false;
  #closed = false;

  constructor(options: SlotSchedulerOptions) {
    this.#options = { horizonDays: 14, intervalMs: 3_600_000, now: () => new Date(), ...options };
    this.#client = createSyncClient({ url: options.server, token: () => options.token, EventSource, batchCalls: MAX_BATCH_CALLS });
    this.#credentials = fixedCredentials(options.token);
    const warn = (message: string) => this.#options.logger.warn(message);
    this.#schedule = new WatchedCollection(slotScheduleRow as ZodType<SlotScheduleRow>, warn, () => this.#reconcile());
    this.#watch = new RestartingWatch({
      subscribe: (handlers) => this.#client.sync.watch.subscribe({ collection: 'slotSchedule' }, handlers),
      onEvent: (event) => this.#schedule.receive(event),
      onRestart: (why, delayMs) => {
        this.#schedule.restart();
        warn(`watching the slot schedule again from the initial state in ${Math.round(delayMs)} ms: ${why}`);
      },
    });
  }

  /**
   * Runs while `active` (the processor holds its lease: one scheduler at a
   * time, and one watch less for the store's blessing), and pauses when not.
   */
  follow(active: boolean): void {
    if (this.#closed || active === this.#active) return;
    this.#active = active;
    if (active) {
      this.#schedule.restart();
      return this.#watch.start();
    }
    this.#watch.stop();
    clearTimeout(this.#timer);
  }

  /** Resolves once the slots have followed the schedule as it stands (for `--once`). */
  settled(): Promise<void> {
    return new Promise<void>((resolve) => this.#settled.add(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watch.stop();
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Plans and writes once the schedule is in; one run at a time, another after it if asked meanwhile. */
  #reconcile() {
    if (this.#closed || !this.#active || !this.#schedule.ready) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#followSchedule()
      .then(
        (complete) => this.#next(complete ? this.#options.intervalMs : RETRY_MS, complete),
        (error: unknown) => {
          this.#options.logger.warn({ error: String(error) }, 'could not bring the slots up to date; trying again');
          this.#next(RETRY_MS, false);
        },
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#reconcile();
        }
      });
  }

  #next(delayMs: number, complete: boolean) {
    if (this.#closed || !this.#active) return;
    this.#timer = setTimeout(() => this.#reconcile(), delayMs);
    if (!complete) return;
    for (const resolve of this.#settled) resolve();
    this.#settled.clear();
  }

  /** Writes what the plan asks; whether every write landed (a refused precondition means the slots changed: plan again). */
  async #followSchedule(): Promise<boolean> {
    const writes = planSlotWrites({
      rows: [...this.#schedule.documents.values()],
      held: await heldSlots(this.#client, this.#credentials),
      now: this.#options.now(),
      horizonDays: this.#options.horizonDays,
    });
    const landed: SlotWrite[] = [];
    for (let index = 0; index < writes.length; index += AT_ONCE) {
      const chunk = writes.slice(index, index + AT_ONCE);
      const results = await Promise.all(
        chunk.map((write) => withRecovery(this.#credentials, () => this.#client.sync.batch.mutate({ operations: [slotOperation(write)] }))),
      );
      chunk.forEach((write, at) => {
        if (results[at]?.ok) landed.push(write);
      });
    }
    if (writes.length > 0) {
      const count = (kind: SlotWrite['kind']) => landed.filter((write) => write.kind === kind).length;
      this.#options.logger.info(
        { created: count('create'), resized: count('capacity'), deleted: count('delete'), refused: writes.length - landed.length },
        'delivery slots brought up to date with the weekly schedule',
      );
    }
    return landed.length === writes.length;
  }
}
