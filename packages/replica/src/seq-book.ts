import type { RxConflictHandler } from 'rxdb/plugins/core';

type Doc = Record<string, unknown>;
/** A state of a document the server sent, by the hash of its content, and its change-log position. */
type SentState = { hash: number; seq: number };

/** How many states of one document are remembered; older ones have long been applied or dropped. */
const STATES_PER_DOCUMENT = 4;

/**
 * The newest change-log position this device knows for each document: from
 * the server's answer to its pushes and from the states it received. A state
 * from before it is stale (an echo of the device's own earlier write, still
 * on its way when the write it echoes was overtaken by a newer one), and
 * applying it would hide a newer edit, which a draft being placed would then
 * lose. RxDB applies received states some time after they arrive, so they
 * are judged twice: when they arrive (`fresh`) and again when RxDB is about
 * to write them (`judged`), when a push may have been answered meanwhile.
 */
export class SeqBook {
  readonly #seqs = new Map<string, number>();
  readonly #sent = new Map<string, SentState[]>();
  /** The state of each document this device pushed, by content hash, where the server put it, until it comes back. */
  readonly #pushed = new Map<string, SentState>();
  /** The pushes under way, by collection. */
  readonly #pushing = new Map<string, Set<Promise<unknown>>>();
  /** The collections whose received states RxDB judges again before writing them (`judged`); only theirs are hashed. */
  readonly #judging = new Set<string>();

  /**
   * Keeps the documents not older than what the device knows, and
   * remembers their positions (and, in a judged collection, their states).
   */
  fresh<T extends { id: string }>(collection: string, documents: readonly T[], seqs: readonly number[]): T[] {
    const judging = this.#judging.has(collection);
    return documents.filter((document, index) => {
      const seq = seqs[index] ?? 0;
      const key = `${collection}/${document.id}`;
      if (seq < (this.#seqs.get(key) ?? 0)) return false;
      this.#seqs.set(key, seq);
      if (!judging) return true;
      const hash = contentHash(document as unknown as Doc);
      const states = (this.#sent.get(key) ?? []).filter((state) => state.hash !== hash);
      this.#sent.set(key, [...states.slice(1 - STATES_PER_DOCUMENT), { hash, seq }]);
      return true;
    });
  }

  /**
   * The documents of a live change worth handing to RxDB: the fresh ones,
   * less the device's own pushed states coming back at the position the
   * push was given. RxDB would read each of those and its meta data only to
   * find it already holds it (or holds a newer local edit, to be pushed).
   * RxDB stores a change's checkpoint only with a document to write, so the
   * last document stays when all would go, and a restart does not pull the
   * echoes again.
   */
  heard<T extends { id: string }>(collection: string, documents: readonly T[], seqs: readonly number[]): T[] {
    const kept = documents.flatMap((document, index) => (this.#isEcho(collection, document, seqs[index] ?? 0) ? [] : [index]));
    if (kept.length === 0 && documents.length > 0) kept.push(documents.length - 1);
    return this.fresh(
      collection,
      kept.map((index) => documents[index] as T),
      kept.map((index) => seqs[index] ?? 0),
    );
  }

  /** Runs a push; changes that arrive meanwhile are judged (`settled`) once its answer is recorded. */
  async pushing<T>(collection: string, push: () => Promise<T>): Promise<T> {
    const running = this.#pushing.get(collection) ?? new Set();
    this.#pushing.set(collection, running);
    const pushed = push();
    running.add(pushed);
    try {
      return await pushed;
    } finally {
      running.delete(pushed);
    }
  }

  /** Resolves once the pushes of `collection` under way now have ended, one way or another. */
  async settled(collection: string): Promise<void> {
    await Promise.allSettled([...(this.#pushing.get(collection) ?? [])]);
  }

  /** Records where the server put the documents a push wrote. */
  acknowledged(collection: string, documents: readonly { id: string }[], seqs: readonly number[]) {
    documents.forEach((document, index) => {
      const key = `${collection}/${document.id}`;
      const seq = seqs[index] ?? 0;
      this.#seqs.set(key, Math.max(this.#seqs.get(key) ?? 0, seq));
      if (seq > 0) this.#pushed.set(key, { hash: contentHash(document as unknown as Doc), seq });
    });
  }

  /** Whether `document` at `seq` is exactly the state this device pushed and the server put there. */
  #isEcho(collection: string, document: { id: string }, seq: number): boolean {
    const key = `${collection}/${document.id}`;
    const pushed = this.#pushed.get(key);
    if (pushed === undefined || pushed.seq > seq) return false;
    this.#pushed.delete(key);
    return pushed.seq === seq && pushed.hash === contentHash(document as unknown as Doc);
  }

  /**
   * The collection's conflict handler, told that a stale state from the
   * server equals the device's: RxDB then leaves the device's document as
   * it is. RxDB asks this right before it writes a state it received.
   */
  judged(collection: string, handler: RxConflictHandler<Doc>): RxConflictHandler<Doc> {
    this.#judging.add(collection);
    return {
      isEqual: (received, local, context) =>
        (context === 'downstream-check-if-equal-1' && this.#isStale(collection, received)) || handler.isEqual(received, local, context),
      resolve: (input, context) => handler.resolve(input, context),
    };
  }

  #isStale(collection: string, document: Doc): boolean {
    const key = `${collection}/${String(document['id'])}`;
    const hash = contentHash(document);
    const sent = this.#sent.get(key)?.find((state) => state.hash === hash);
    return sent !== undefined && sent.seq < (this.#seqs.get(key) ?? 0);
  }
}

/** A hash of a document's content: its fields but RxDB's own, `_deleted` as a boolean, in a fixed order. */
function contentHash(document: Doc): number {
  const fields = Object.keys(document)
    .filter((name) => !name.startsWith('_'))
    .sort()
    .map((name) => [name, document[name]]);
  return cyrb53(JSON.stringify([fields, Boolean(document['_deleted'])]));
}

/** cyrb53 (public domain): a fast 53-bit string hash, ample to tell a document's few recent states apart. */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
