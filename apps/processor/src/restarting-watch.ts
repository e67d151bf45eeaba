import { watchEvent, type WatchEvent } from '@pourover/protocol';

type Handlers = {
  onData(envelope: unknown): void;
  onConnectionStateChange(state: { state: string; error?: { message: string } | null }): void;
  onError(error: Error): void;
  onComplete(): void;
};

export type RestartingWatchOptions = {
  /** Opens one watch; the handlers of a watch that was stopped are never listened to again. */
  subscribe(handlers: Handlers): { unsubscribe(): void };
  onEvent(event: WatchEvent): void;
  /** Told why each watch stopped and how long until the next. */
  onRestart(why: string, delayMs: number): void;
  /** The first wait before watching again, doubled after each watch that failed soon (default 250 ms). */
  firstDelayMs?: number;
  /** The longest wait (default 30 s). */
  maxDelayMs?: number;
  /** A watch that delivered for this long counts as healthy: the next failure waits the first delay again (default 10 s). */
  healthyAfterMs?: number;
};

/**
 * One watch at a time, started again from the initial state whenever it
 * stops, for any reason, after a wait that grows while watches keep
 * failing, with jitter so that many processors never retry in step. A
 * watch's callbacks after it was stopped (tRPC may still report its end)
 * are ignored, so a stopped watch never stops its successor; and the wait
 * only falls back once a watch has stayed up, so a server that accepts
 * watches and drops them at once is not asked for a snapshot each time.
 */
export class RestartingWatch {
  readonly #options: Required<RestartingWatchOptions>;
  #current: { unsubscribe(): void; generation: number } | undefined;
  #generation = 0;
  #failures = 0;
  #startedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #restarts = 0;

  constructor(options: RestartingWatchOptions) {
    this.#options = { firstDelayMs: 250, maxDelayMs: 30_000, healthyAfterMs: 10_000, ...options };
  }

  /** How many times a watch stopped and was scheduled to start again. */
  get restarts(): number {
    return this.#restarts;
  }

  start() {
    this.#running = true;
    if (this.#current || this.#timer) return;
    this.#open();
  }

  stop() {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#close();
  }

  #open() {
    const generation = ++this.#generation;
    const live = () => this.#current?.generation === generation;
    this.#startedAt = Date.now();
    const subscription = this.#options.subscribe({
      onData: (envelope) => {
        if (!live()) return;
        const parsed = watchEvent.safeParse((envelope as { data?: unknown }).data);
        if (!parsed.success) return this.#failed('a malformed watch event');
        this.#options.onEvent(parsed.data);
      },
      // tRPC would reconnect on its own and resume from the last marker; a stopped watch starts over instead.
      onConnectionStateChange: (state) => {
        if (live() && state.state === 'connecting' && state.error) this.#failed(`the watch connection failed: ${state.error.message}`);
      },
      onError: (error) => {
        if (live()) this.#failed(error.message);
      },
      onComplete: () => {
        if (live()) this.#failed('the server ended the watch');
      },
    });
    this.#current = { unsubscribe: () => subscription.unsubscribe(), generation };
  }

  #close() {
    const current = this.#current;
    this.#current = undefined;
    current?.unsubscribe();
  }

  #failed(why: string) {
    this.#close();
    if (!this.#running) return;
    this.#failures = Date.now() - this.#startedAt >= this.#options.healthyAfterMs ? 0 : this.#failures + 1;
    const { firstDelayMs, maxDelayMs } = this.#options;
    const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** this.#failures) * (0.5 + Math.random() / 2);
    this.#restarts += 1;
    this.#options.onRestart(why, delay);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#running) this.#open();
    }, delay);
  }
}
