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

  /** Keeps the documents not older than what the device knows, and remembers them with their positions. */
  fresh<T extends { id: string }>(collection: string, documents: readonly T[], seqs: readonly number[]): T[] {
    return documents.filter((document, index) => {
      const seq = seqs[index] ?? 0;
      const key = `${collection}/${document.id}`;
      if (seq < (this.#seqs.get(key) ?? 0)) return false;
      this.#seqs.set(key, seq);
      const hash = contentHash(document as unknown as Doc);
      const states = (this.#sent.get(key) ?? []).filter((state) => state.hash !== hash);
      this.#sent.set(key, [...states.slice(1 - STATES_PER_DOCUMENT), { hash, seq }]);
      return true;
    });
  }

  /** Records where the server put the documents a push wrote. */
  acknowledged(collection: string, ids: readonly string[], seqs: readonly number[]) {
    ids.forEach((id, index) => {
      const key = `${collection}/${id}`;
      this.#seqs.set(key, Math.max(this.#seqs.get(key) ?? 0, seqs[index] ?? 0));
    });
  }

  /**
   * The collection's conflict handler, told that a stale state from the
   * server equals the device's: RxDB then leaves the device's document as
   * it is. RxDB asks this right before it writes a state it received.
   */
  judged(collection: string, handler: RxConflictHandler<Doc>): RxConflictHandler<Doc> {
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
