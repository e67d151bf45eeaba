import type { Checkpoint, WireDocument } from '@pourover/protocol';
import type { BulkWriteRow, RxCollection, RxDocumentData } from 'rxdb/plugins/core';
import { BehaviorSubject, filter, firstValueFrom, Subject, type Observable, type Subscription } from 'rxjs';
import { PULL_BATCH, type PulledPage, type ServerPull } from './pull-fresh.ts';
import { pullStateAfter, type PullEvent, type PullState } from './replication-state.ts';
import { sameState, storedState, writeStored } from './stored-states.ts';

type Doc = Record<string, unknown>;
type Stored = RxDocumentData<Doc>;

export type PulledChange = 'RESYNC' | { documents: WireDocument[]; seqs: number[]; checkpoint: Checkpoint };

/** Where a collection's pull checkpoint is kept between runs. */
export type CheckpointStore = { get(): Promise<Checkpoint | null>; set(checkpoint: Checkpoint): Promise<void> };

/** The context of this replication's writes; `TwoWayReplication` takes every write whose context is not `replication-…` for the app's. */
export const PULL_CONTEXT = 'replication-pourover-pull';
/**
 * A write meets another only if the document changed since the storage
 * answered: read-only collections refuse the app's writes, and a document
 * the app wrote is left to its push; a few tries are ample.
 */
const WRITE_TRIES = 3;
/**
 * The checkpoint is stored at most once in this span, the latest one: each
 * live change came with its own, and storing it was a write as costly as
 * the change's (for a device's own pushes, which come back on its stream,
 * the only write). A stored checkpoint behind the written states pulls them
 * again at the next start, which writes nothing new.
 */
const CHECKPOINT_EVERY_MS = 1_000;

/**
 * The pull of a collection from the server: the whole sync of a collection
 * the device only reads, and the pulling half of `TwoWayReplication`. A
 * pulled state is written in one storage write, over what the device holds
 * where the `ServerStates` rule lets it (the server's state always wins in a
 * collection the device only reads). RxDB's replication, even without a
 * push, read each pulled document three times (the device's copy, the copy
 * of the server's state it keeps for pushes, and once more inside the
 * write): for an initial sync of 10,000 documents in Chromium that was 0.6 s
 * of the page's time.
 *
 * Pulls start from the stored checkpoint and go on until the server has no
 * more, each page asked for while the one before it is written; a `RESYNC`
 * pulls again; live changes are written as they come. All
 * of it runs in one queue, in order. A failed pull or write is reported on
 * `error$` and tried again after `retryMs`, and the queue waits for it, so
 * `awaitInSync` resolves only once the collection holds what the server had.
 */
export class PullReplication {
  readonly received$ = new Subject<Stored>();
  readonly error$ = new Subject<unknown>();
  readonly active$ = new BehaviorSubject(false);
  readonly state$ = new BehaviorSubject<PullState>('unstarted');
  readonly #collection: RxCollection<Doc>;
  readonly #pull: ServerPull;
  readonly #checkpoints: CheckpointStore;
  readonly #changes$: Observable<PulledChange>;
  readonly #retryMs: number;
  readonly #states: ServerStates;
  readonly #firstPull: Promise<void>;
  #pulled: () => void = () => {};
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #checkpoint: Checkpoint | null = null;
  /** The checkpoint last stored, or being stored. */
  #stored: Checkpoint | null = null;
  #storing: Promise<void> = Promise.resolve();
  #storeTimer: ReturnType<typeof setTimeout> | undefined;
  #subscription: Subscription | undefined;
  #wake: (() => void) | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(parts: {
    collection: RxCollection<Doc>;
    pull: ServerPull;
    changes$: Observable<PulledChange>;
    checkpoints: CheckpointStore;
    retryMs: number;
    /** How the server's states go over the device's (default: they always win). */
    states?: ServerStates;
  }) {
    this.#collection = parts.collection;
    this.#pull = parts.pull;
    this.#changes$ = parts.changes$;
    this.#checkpoints = parts.checkpoints;
    this.#retryMs = parts.retryMs;
    this.#states = parts.states ?? serverStateWins(parts.collection);
    this.#firstPull = new Promise((resolve) => (this.#pulled = resolve));
  }

  get #closed(): boolean {
    return this.state$.value === 'stopped';
  }

  /** The one place the pull state changes. */
  #on(event: PullEvent) {
    const next = pullStateAfter(this.state$.value, event);
    if (next !== this.state$.value) this.state$.next(next);
  }

  /** Pulls from the stored checkpoint, then follows its changes. */
  start() {
    if (this.state$.value !== 'unstarted') return;
    this.#on({ kind: 'catch-up' });
    this.#enqueue(async () => {
      this.#checkpoint = await this.#checkpoints.get();
      await this.#catchUp();
      this.#pulled();
    });
    this.#subscription = this.#changes$.subscribe((change) =>
      change === 'RESYNC' ? this.resync() : this.#enqueue(() => this.#applyLive(change)),
    );
  }

  /** A pull from the checkpoint is due: the state says so at once, so `caughtUp` waits for it. */
  resync() {
    this.#on({ kind: 'catch-up' });
    this.#enqueue(() => this.#catchUp());
  }

  /**
   * Resolves once no pull from the checkpoint is due or under way: it has
   * answered (and a restore it told of was followed), or failed, or the
   * replication stopped.
   */
  async caughtUp(): Promise<void> {
    await firstValueFrom(this.state$.pipe(filter((state) => state !== 'unstarted' && state !== 'catching-up')), {
      defaultValue: 'stopped',
    });
  }

  /** Resolves once the first pull has brought everything the server had. */
  awaitInitialReplication(): Promise<void> {
    return this.#firstPull;
  }

  /** Resolves once the first pull is done and nothing waits in the queue. */
  async awaitInSync(): Promise<void> {
    await this.#firstPull;
    for (let queue = this.#queue; ; queue = this.#queue) {
      await queue;
      if (queue === this.#queue) return;
    }
  }

  /** Stops following changes; a pull under way ends without writing. The latest checkpoint is stored first. */
  async cancel(): Promise<void> {
    this.#on({ kind: 'stop' });
    this.#subscription?.unsubscribe();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#storeTimer);
    this.#wake?.();
    this.#storeCheckpoint();
    await this.#storing;
    this.active$.next(false);
  }

  #enqueue(task: () => Promise<void>) {
    this.#pending += 1;
    this.active$.next(true);
    this.#queue = this.#queue.then(async () => {
      await this.#untilDone(task);
      this.#pending -= 1;
      if (this.#pending === 0 && !this.#closed) this.active$.next(false);
    });
  }

  /** Runs `task` until it succeeds or the replication is cancelled, waiting `retryMs` after each failure. */
  async #untilDone(task: () => Promise<void>) {
    while (!this.#closed) {
      try {
        return await task();
      } catch (error) {
        if (this.#closed) return;
        this.error$.next(error);
        this.#on({ kind: 'failed' });
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retryTimer = setTimeout(resolve, this.#retryMs);
        });
      }
    }
  }

  async #catchUp() {
    this.#on({ kind: 'catch-up' });
    await this.#pullAll();
    if (!this.#closed) this.#on({ kind: 'caught-up' });
  }

  async #applyLive(change: PulledPage) {
    await this.#apply(change);
    if (!this.#closed) this.#on({ kind: 'change-written' });
  }

  /** Pulls until the server has no more, asking for each page while the one before it is written. */
  async #pullAll() {
    let next = this.#pull(this.#checkpoint);
    for (;;) {
      const page = await next;
      if (this.#closed) return;
      if (page.reset) {
        // The server's history began again: what was pulled of the old one names positions it no longer holds.
        // Only once the device knows it: a failure pulls again from the old checkpoint, and is answered `reset` again.
        await this.#states.historyReset();
        if (this.#closed) return;
        this.#checkpoint = null;
      }
      const more = page.documents.length >= PULL_BATCH;
      if (more) {
        next = this.#pull(page.checkpoint);
        // Awaited on the next turn; if this page's write fails first, the pull starts over and drops it.
        next.catch(() => {});
      }
      await this.#apply(page);
      if (!more) return;
    }
  }

  async #apply({ documents, seqs, checkpoint }: PulledPage) {
    if (this.#closed) return;
    if (documents.length > 0) await this.#write(documents, seqs);
    if (checkpoint && checkpoint.seq > (this.#checkpoint?.seq ?? -1)) {
      this.#checkpoint = checkpoint;
      // A write that ends after cancel() leaves its checkpoint unstored, and no timer behind.
      if (!this.#closed) {
        this.#storeTimer ??= setTimeout(() => {
          this.#storeTimer = undefined;
          this.#storeCheckpoint();
        }, CHECKPOINT_EVERY_MS);
      }
    }
  }

  /** Stores the latest checkpoint, after the one being stored; a failure is reported, and the next checkpoint tries again. */
  #storeCheckpoint() {
    const checkpoint = this.#checkpoint;
    if (!checkpoint || checkpoint === this.#stored) return;
    this.#stored = checkpoint;
    this.#storing = this.#storing
      .then(() => this.#checkpoints.set(checkpoint))
      .catch((error: unknown) => {
        if (this.#stored === checkpoint) this.#stored = null;
        this.error$.next(error);
      });
  }

  /**
   * Writes each document's state over what the device holds, where the
   * states' rule lets it. The first write names no previous state, unless
   * the rule knows what the device holds; the storage refuses a write that
   * names another state than the device's, and answers with the device's,
   * so it is written again over that state, or left.
   */
  async #write(documents: readonly WireDocument[], seqs: readonly number[]) {
    await this.#states.settled();
    const seqOf = new Map(documents.map((document, index) => [document.id, seqs[index] ?? 0]));
    const latest = new Map(
      documents.filter((document) => this.#states.wanted(document, seqOf.get(document.id) ?? 0)).map((document) => [document.id, document]),
    );
    let rows: BulkWriteRow<Doc>[] = [];
    for (const document of latest.values()) {
      const known = this.#states.held(document.id);
      if (!known) rows.push({ document: this.#states.stored(document, undefined) });
      else if (this.#states.replaces(known, document, seqOf.get(document.id) ?? 0))
        rows.push({ previous: known, document: this.#states.stored(document, known) });
    }
    for (let tries = 0; rows.length > 0; tries += 1) {
      if (tries === WRITE_TRIES)
        throw new Error(`${this.#collection.name}: ${rows.length} pulled documents kept meeting newer local writes`);
      const { error } = await writeStored(this.#collection, rows, PULL_CONTEXT);
      const refused = new Map(error.map((failure) => [failure.documentId, failure]));
      for (const row of rows) {
        if (refused.has(String(row.document['id']))) continue;
        this.#states.written(row.document);
        this.received$.next(row.document);
      }
      rows = [];
      for (const failure of refused.values()) {
        if (failure.status !== 409 || !failure.documentInDb)
          throw new Error(`${this.#collection.name}: writing ${failure.documentId} failed (${failure.status})`);
        const document = latest.get(failure.documentId);
        if (document && this.#states.replaces(failure.documentInDb, document, seqOf.get(document.id) ?? 0)) {
          rows.push({ previous: failure.documentInDb, document: this.#states.stored(document, failure.documentInDb) });
        }
      }
    }
  }
}

/** How a pull writes the server's states over the device's documents. */
export type ServerStates = {
  /**
   * Resolves once the pushes under way have their answers written (conflicts settled): a state judged against a
   * document still in a push is left to the push's answer, which may be older than it.
   */
  settled(): Promise<void>;
  /** The device's document as the replication last wrote or pushed it, if it knows. */
  held(id: string): Stored | undefined;
  /** Whether a state, at `seq` in the change log, is worth writing at all. */
  wanted(document: WireDocument, seq: number): boolean;
  /** The state as the storage keeps it, as the next revision after `previous`. */
  stored(document: WireDocument, previous: Stored | undefined): Stored;
  /** Whether the server's `document`, at `seq`, goes over `held`, the device's. */
  replaces(held: Stored, document: WireDocument, seq: number): boolean;
  /** Told of each state once it is written. */
  written(document: Stored): void;
  /** The server's history began again (a restore): told before the first page of the new one is written. */
  historyReset(): Promise<void>;
};

/** The server's state always wins: for the collections the device only reads. */
function serverStateWins(collection: RxCollection<Doc>): ServerStates {
  return {
    settled: async () => {},
    held: () => undefined,
    wanted: () => true,
    stored: (document, previous) => storedState(document, previous, collection.database.token),
    replaces: (held, document) => !sameState(held, document),
    written: () => {},
    historyReset: async () => {},
  };
}
