/**
 * The newest change-log position this device knows for each document: from
 * the server's answer to its pushes and from the states it received. A state
 * from before it is stale (an echo of the device's own earlier write, still
 * on its way when the write it echoes was overtaken by a newer one), and
 * applying it would hide a newer edit, which the next write made from the
 * device's copy would then lose.
 */
export class SeqBook {
  readonly #seqs = new Map<string, number>();
  /** The pushes under way, by collection. */
  readonly #pushing = new Map<string, Set<Promise<unknown>>>();

  /** Keeps the documents not older than what the device knows, with their positions, and remembers those. */
  fresh<T extends { id: string }>(
    collection: string,
    documents: readonly T[],
    seqs: readonly number[],
  ): { documents: T[]; seqs: number[] } {
    const kept: { documents: T[]; seqs: number[] } = { documents: [], seqs: [] };
    documents.forEach((document, index) => {
      const seq = seqs[index] ?? 0;
      const key = `${collection}/${document.id}`;
      if (seq < (this.#seqs.get(key) ?? 0)) return;
      this.#seqs.set(key, seq);
      kept.documents.push(document);
      kept.seqs.push(seq);
    });
    return kept;
  }

  /** Whether a document's state at `seq` is not older than what the device knows now. */
  isFresh(collection: string, id: string, seq: number): boolean {
    return seq >= (this.#seqs.get(`${collection}/${id}`) ?? 0);
  }

  /**
   * Forgets the positions known for `collection` (every collection if none is
   * named): the server's history began again (a restore), and gives out
   * again positions the device has seen, so an old one says nothing of a new state.
   */
  forget(collection?: string) {
    if (collection === undefined) return this.#seqs.clear();
    for (const key of this.#seqs.keys()) if (key.startsWith(`${collection}/`)) this.#seqs.delete(key);
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
  acknowledged(collection: string, ids: readonly string[], seqs: readonly number[]) {
    ids.forEach((id, index) => {
      const key = `${collection}/${id}`;
      this.#seqs.set(key, Math.max(this.#seqs.get(key) ?? 0, seqs[index] ?? 0));
    });
  }
}
