import type { CollectionName } from '@pourover/protocol';
import type { StreamEvent } from '@pourover/protocol';
import { errorCodeOf, retryAfterMs } from '@pourover/sync-client';
import { BehaviorSubject, map, Subject } from 'rxjs';
import type { BeforeApply } from './before-apply.ts';
import type { PulledChange } from './pull-replication.ts';
import type { ReplicationTransport, StreamConnection } from './replication-transport.ts';
import type { SeqBook } from './seq-book.ts';

export type StreamState = { connection: StreamConnection; error: string | null };

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/**
 * How long a stream the server refused as UNAVAILABLE waits to open again:
 * the server's Retry-After (1 s), and up to half again, as a refused call
 * does. It does not grow: such a node asks to be tried again soon, and
 * during a rolling upgrade another node may serve the stream at once.
 */
const UNAVAILABLE_DELAY_MS = 1_000;

/**
 * The device's one live stream, carrying the changes of all its collections.
 * Each collection's replication reads its own changes from here. On a
 * fresh connection the server says `ready` once it listens, and every
 * collection is told to RESYNC from its checkpoint, so nothing committed
 * before is missed; a dropped connection resumes from the last tracked id.
 */
export class LiveStream {
  readonly state$ = new BehaviorSubject<StreamState>({ connection: 'connecting', error: null });
  /** Whether the stream's connection is open; while it is not, the server may be stopped (and its data restored). */
  readonly open$ = this.state$.pipe(map((state) => state.connection === 'open'));
  readonly #subjects = new Map<CollectionName, Subject<PulledChange>>();
  readonly #transport: ReplicationTransport;
  readonly #beforeApply: BeforeApply;
  readonly #seqs: SeqBook;
  /** Per collection, the chain of events waiting for `beforeApply`, so they keep their order. */
  readonly #queues = new Map<CollectionName, Promise<void>>();
  #subscription: { unsubscribe(): void } | undefined;
  #listening: () => void = () => {};
  /** Resolves once the server first said it listens, and every collection was told to pull again. */
  readonly listening = new Promise<void>((resolve) => (this.#listening = resolve));
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #closed = false;
  /** The store's epoch the last `ready` named. */
  #epoch: string | undefined;

  constructor(transport: ReplicationTransport, collections: readonly CollectionName[], hooks: { beforeApply: BeforeApply; seqs: SeqBook }) {
    this.#transport = transport;
    this.#beforeApply = hooks.beforeApply;
    this.#seqs = hooks.seqs;
    for (const name of collections) this.#subjects.set(name, new Subject());
  }

  /** The changes of one collection, for its replication. */
  streamOf(collection: CollectionName): Subject<PulledChange> {
    const subject = this.#subjects.get(collection);
    if (!subject) throw new Error(`no live stream for ${collection}`);
    return subject;
  }

  start() {
    if (this.#closed) return;
    this.state$.next({ connection: 'connecting', error: this.state$.value.error });
    this.#subscription = this.#transport.stream({
      event: (event) => this.#receive(event),
      connection: (connection, error) => {
        if (connection === 'open') this.#attempt = 0;
        this.state$.next({ connection, error });
      },
      ended: (error) => (error ? void this.#failed(error) : this.#restart(null)),
    });
  }

  #receive(event: StreamEvent) {
    if (event.kind === 'ready') {
      // Another epoch: the server's data was restored, and gives out again positions the device has seen.
      if (event.epoch !== undefined && this.#epoch !== undefined && event.epoch !== this.#epoch) this.#seqs.forget();
      this.#epoch = event.epoch ?? this.#epoch;
      for (const subject of this.#subjects.values()) subject.next('RESYNC');
      this.#listening();
      return;
    }
    const subject = this.#subjects.get(event.collection);
    if (!subject) return;
    const queue = (this.#queues.get(event.collection) ?? Promise.resolve()).then(async () => {
      try {
        // A push's answer may come after the change it made: judged before it, an older change would pass as fresh.
        await this.#seqs.settled(event.collection);
        const { documents, seqs } = this.#seqs.fresh(event.collection, event.documents, event.seqs);
        await this.#beforeApply(event.collection, documents);
        if (!subject.closed) subject.next({ documents, seqs, checkpoint: event.checkpoint });
      } catch {
        // Not written now; the collection pulls them again from its checkpoint.
        if (!subject.closed) subject.next('RESYNC');
      }
    });
    this.#queues.set(event.collection, queue);
  }

  /** An expired token is refreshed and the stream reopened at once; other failures wait their turn. */
  async #failed(error: Error) {
    if (await this.#transport.renewed(error)) {
      this.#subscription?.unsubscribe();
      this.#subscription = undefined;
      return this.start();
    }
    const code = errorCodeOf(error);
    // A device over its request budget had its stream ticket refused: asking again before the server's Retry-After is refused again.
    this.#restart(error.message, { unavailable: code === 'UNAVAILABLE', atLeastMs: code === 'RATE_LIMITED' ? retryAfterMs(error) : 0 });
  }

  /**
   * Subscribes again after a delay that grows with each failure, with jitter so devices don't retry in step, and
   * never sooner than a rate limit's Retry-After (and up to half again); after an UNAVAILABLE refusal, after the
   * server's Retry-After.
   */
  #restart(error: string | null, refusal = { unavailable: false, atLeastMs: 0 }) {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    if (this.#closed) return;
    this.state$.next({ connection: 'offline', error });
    const jitter = 1 + Math.random() / 2;
    const delay = refusal.unavailable
      ? UNAVAILABLE_DELAY_MS * jitter
      : Math.max(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.#attempt) * (0.5 + Math.random() / 2), refusal.atLeastMs * jitter);
    if (!refusal.unavailable) this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.start(), delay);
  }

  /** Stops following the server for good (it refused this app), while its state stays readable. */
  stop() {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  close() {
    this.stop();
    for (const subject of this.#subjects.values()) subject.complete();
    this.state$.complete();
  }
}
