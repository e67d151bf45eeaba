import type { WireDocument } from '@pourover/protocol';
import type { RxDocumentData } from 'rxdb/plugins/core';
import { BehaviorSubject } from 'rxjs';

type Stored = RxDocumentData<Record<string, unknown>>;

/**
 * What a document's `_meta` keeps of its sync: the revision at which it last
 * held the server's state (`rev`), and that state (`base`). A document whose
 * revision is another one holds the device's own writes, to be pushed over
 * `base`. RxDB keeps a document's `_meta` through the app's writes.
 */
type SyncMeta = { rev: string; base: WireDocument };
const META = 'pourover';

const syncMetaOf = (held: Stored) => (held._meta as { [META]?: SyncMeta })[META];

/** The `_meta` of a document written as the server's `state`, at the revision of that write. */
export const syncedAt = (state: WireDocument) => (rev: string) => ({ [META]: { rev, base: state } satisfies SyncMeta });

/** The `_meta` of a document that holds the device's merge over the server's `base`: unsent, at whatever revision it gets. */
export const unsentOver = (base: WireDocument) => () => ({ [META]: { rev: '', base } satisfies SyncMeta });

/** A pushed state the server took, until it is recorded in its document. */
export type Taken = { stored: Stored; state: WireDocument; refused?: true };

/**
 * The one place that answers "does this document of the collection still
 * need pushing?", and over which server state. On disk a document says it
 * with its `_meta` (its revision is the synced one, or not); in memory this
 * book keeps what happened since:
 *
 * - *waiting*: the newest state of each document written and not yet pushed;
 * - *in flight*: documents in a push not yet answered;
 * - *taken*: states the server took, not yet recorded in their documents
 *   (recording waits until pushing pauses, so a burst costs one write).
 *
 * `count$` is how many documents hold writes the server has not taken
 * (waiting or in flight): the device's "unsent" figure.
 */
export class UnsentWrites {
  readonly count$ = new BehaviorSubject(0);
  readonly #waiting = new Map<string, Stored>();
  readonly #inFlight = new Set<string>();
  readonly #taken = new Map<string, Taken>();
  /** Waiting or in flight. */
  readonly #unsent = new Set<string>();
  /** The server's states RxDB's replication kept, for documents written before this replication ran here. */
  #legacyBases = new Map<string, WireDocument>();

  /** Takes the server states RxDB's replication kept, the bases of documents written before this replication ran here. */
  useLegacyBases(bases: Map<string, WireDocument>) {
    this.#legacyBases = bases;
  }

  /** Whether `held`'s push goes over a state RxDB's replication kept. */
  needsLegacyBase(held: Stored): boolean {
    return !syncMetaOf(held) && this.#legacyBases.has(String(held['id']));
  }

  /** States the device wrote (or found unsent at start): the newest of each document waits to be pushed. */
  wrote(states: Iterable<Stored>) {
    for (const held of states) {
      const id = String(held['id']);
      const noted = this.#waiting.get(id);
      if (!noted || held._meta.lwt >= noted._meta.lwt) this.#waiting.set(id, held);
      this.#unsent.add(id);
    }
    this.#counted();
  }

  /** Whether `held` is the server's state, as pulled or as pushed and taken. */
  isClean(held: Stored): boolean {
    return held._rev === syncMetaOf(held)?.rev || held._rev === this.#taken.get(String(held['id']))?.stored._rev;
  }

  /** The server's state the device's writes of `held` started from; none for a document the server never had. */
  baseOf(held: Stored): WireDocument | null {
    const id = String(held['id']);
    return this.#taken.get(id)?.state ?? syncMetaOf(held)?.base ?? this.#legacyBases.get(id) ?? null;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** The documents waiting and not in a push, the longest waiting first. */
  *ready(): Generator<[string, Stored]> {
    for (const entry of this.#waiting) if (!this.#inFlight.has(entry[0])) yield entry;
  }

  /** A push of these states begins. */
  sending(batch: readonly Stored[]) {
    for (const held of batch) {
      const id = String(held['id']);
      this.#waiting.delete(id);
      this.#inFlight.add(id);
    }
  }

  /** A push failed before the server answered for `held`: it waits again, unless the app wrote a newer state meanwhile. */
  unanswered(held: Stored) {
    const id = String(held['id']);
    if (!this.#waiting.has(id)) this.#waiting.set(id, held);
  }

  /** The server took `state`, pushed from `stored`. */
  took(stored: Stored, state: WireDocument) {
    this.#taken.set(state.id, { stored, state });
  }

  /** A push has ended, one way or another: its documents are no longer in flight. */
  ended(batch: readonly Stored[]) {
    for (const held of batch) {
      const id = String(held['id']);
      this.#inFlight.delete(id);
      if (!this.#waiting.has(id)) this.#unsent.delete(id);
    }
    this.#counted();
  }

  takenOf(id: string): Taken | undefined {
    return this.#taken.get(id);
  }

  /** The document now holds the server's state on disk (pulled, or a settled conflict): what was taken of it is known there. */
  synced(id: string) {
    this.#taken.delete(id);
  }

  /** What the server took and is still to be recorded in documents. */
  toRecord(): Taken[] {
    return [...this.#taken.values()].filter((taken) => !taken.refused);
  }

  /** `taken` was recorded in its document, or the storage refused (the app wrote it meanwhile: its next push goes over `taken`). */
  recorded(taken: Taken, refused: boolean) {
    const id = String(taken.stored['id']);
    if (this.#taken.get(id) !== taken) return;
    if (refused) taken.refused = true;
    else this.#taken.delete(id);
  }

  #counted() {
    if (this.count$.value !== this.#unsent.size) this.count$.next(this.#unsent.size);
  }
}
