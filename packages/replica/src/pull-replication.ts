import type { Checkpoint, WireDocument } from '@pourover/protocol';
import type { BulkWriteRow, RxCollection, RxDocumentData } from 'rxdb/plugins/core';
import { createRevision, deepEqual, now } from 'rxdb/plugins/utils';
import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { PULL_BATCH, type ServerPull } from './pull-fresh.ts';

type Doc = Record<string, unknown>;
type Stored = RxDocumentData<Doc>;

export type PulledChange = 'RESYNC' | { documents: WireDocument[]; checkpoint: Checkpoint };

/** Where a collection's pull checkpoint is kept between runs. */
export type CheckpointStore = { get(): Promise<Checkpoint | null>; set(checkpoint: Checkpoint): Promise<void> };

/** The context of this replication's writes; `UnsentChanges` skips every `replication-…` one. */
const CONTEXT = 'replication-pourover-pull';
/** A write meets the app's write only if the app wrote meanwhile, which read-only collections refuse; a few tries are ample. */
const WRITE_TRIES = 3;

/**
 * The sync of a collection the device only reads. The server's state always
 * wins, so a pulled state is written as it comes, in one storage write, and
 * nothing else is kept per document. RxDB's replication, even without a
 * push, reads each pulled document three times (the device's copy, the copy
 * of the server's state it keeps for pushes, and once more inside the
 * write): for an initial sync of 10,000 orders in Chromium that was 0.6 s
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
  readonly #collection: RxCollection<Doc>;
  readonly #pull: ServerPull;
  readonly #checkpoints: CheckpointStore;
  readonly #changes$: Observable<PulledChange>;
  readonly #retryMs: number;
  readonly #firstPull: Promise<void>;
  #pulled: () => void = () => {};
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #checkpoint: Checkpoint | null = null;
  #subscription: Subscription | undefined;
  #wake: (() => void) | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(parts: { collection: RxCollection<Doc>; pull: ServerPull; changes$: Observable<PulledChange>; checkpoints: CheckpointStore; retryMs: number }) {
    this.#collection = parts.collection;
    this.#pull = parts.pull;
    this.#changes$ = parts.changes$;
    this.#checkpoints = parts.checkpoints;
    this.#retryMs = parts.retryMs;
    this.#firstPull = new Promise((resolve) => (this.#pulled = resolve));
  }

  /** Pulls from the stored checkpoint, then follows its changes. */
  start() {
    if (this.#closed) return;
    this.#enqueue(async () => {
      this.#checkpoint = await this.#checkpoints.get();
      await this.#pullAll();
      this.#pulled();
    });
    this.#subscription = this.#changes$.subscribe((change) =>
      change === 'RESYNC' ? this.#enqueue(() => this.#pullAll()) : this.#enqueue(() => this.#apply(change.documents, change.checkpoint)),
    );
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

  /** Stops following changes; a pull under way ends without writing. */
  async cancel(): Promise<void> {
    this.#closed = true;
    this.#subscription?.unsubscribe();
    clearTimeout(this.#retryTimer);
    this.#wake?.();
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
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retryTimer = setTimeout(resolve, this.#retryMs);
        });
      }
    }
  }

  /** Pulls until the server has no more, asking for each page while the one before it is written. */
  async #pullAll() {
    let next = this.#pull(this.#checkpoint);
    for (;;) {
      const page = await next;
      if (this.#closed) return;
      const more = page.documents.length >= PULL_BATCH;
      if (more) {
        next = this.#pull(page.checkpoint);
        // Awaited on the next turn; if this page's write fails first, the pull starts over and drops it.
        next.catch(() => {});
      }
      await this.#apply(page.documents, page.checkpoint);
      if (!more) return;
    }
  }

  async #apply(documents: readonly WireDocument[], checkpoint: Checkpoint | null) {
    if (this.#closed) return;
    if (documents.length > 0) await this.#write(documents);
    if (checkpoint && checkpoint.seq > (this.#checkpoint?.seq ?? -1)) {
      this.#checkpoint = checkpoint;
      await this.#checkpoints.set(checkpoint);
    }
  }

  /**
   * Writes each document's state over whatever the device holds. The first
   * write names no previous state; the storage refuses it for documents the
   * device holds already, and answers with them, so they are written again
   * over the state it gave (or left alone when it equals the server's).
   */
  async #write(documents: readonly WireDocument[]) {
    const latest = new Map(documents.map((document) => [document.id, document]));
    const token = this.#collection.database.token;
    let rows: BulkWriteRow<Doc>[] = [...latest.values()].map((document) => ({ document: stored(document, undefined, token) }));
    for (let tries = 0; rows.length > 0; tries += 1) {
      if (tries === WRITE_TRIES) throw new Error(`${this.#collection.name}: ${rows.length} pulled documents kept meeting newer local writes`);
      const { error } = await this.#collection.storageInstance.bulkWrite(rows, CONTEXT);
      const refused = new Map(error.map((failure) => [failure.documentId, failure]));
      for (const row of rows) if (!refused.has(String(row.document['id']))) this.received$.next(row.document);
      rows = [];
      for (const failure of refused.values()) {
        if (failure.status !== 409 || !failure.documentInDb) throw new Error(`${this.#collection.name}: writing ${failure.documentId} failed (${failure.status})`);
        const document = latest.get(failure.documentId);
        if (document && !sameState(failure.documentInDb, document)) rows.push({ previous: failure.documentInDb, document: stored(document, failure.documentInDb, token) });
      }
    }
  }
}

/** The server's state as the storage keeps it, as the next revision after `previous`. */
function stored(document: WireDocument, previous: Stored | undefined, token: string): Stored {
  return { ...document, _meta: { lwt: now() }, _rev: createRevision(token, previous), _attachments: {} };
}

function sameState(held: Stored, document: WireDocument): boolean {
  const { _meta, _rev, _attachments, ...fields } = held;
  return deepEqual(fields, document);
}
