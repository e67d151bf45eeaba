import type { RxCollection } from 'rxdb/plugins/core';
import { BehaviorSubject } from 'rxjs';

/**
 * Counts the documents written on this device and not yet taken by the
 * server. Collection hooks fire for the app's own writes only (replication
 * writes go to storage directly), and each write bumps the document's stamp;
 * a push clears a document only if no write came after the push began.
 */
export class UnsentChanges {
  readonly count$ = new BehaviorSubject(0);
  readonly #stamps = new Map<string, number>();
  #clock = 0;

  watch(collection: RxCollection) {
    const touch = (data: { id?: unknown }) => {
      this.#stamps.set(`${collection.name}/${String(data.id)}`, ++this.#clock);
      this.count$.next(this.#stamps.size);
    };
    collection.postInsert((data) => touch(data), false);
    collection.postSave((data) => touch(data), false);
    collection.postRemove((data) => touch(data), false);
  }

  /** Call when a push begins; the returned function marks the pushed ids the server took as sent. */
  beginPush(collection: string, ids: readonly string[]): (conflicted: readonly string[]) => void {
    const started = this.#clock;
    return (conflicted) => {
      const refused = new Set(conflicted);
      for (const id of ids) {
        if (refused.has(id)) continue;
        const key = `${collection}/${id}`;
        if ((this.#stamps.get(key) ?? Infinity) <= started) this.#stamps.delete(key);
      }
      this.count$.next(this.#stamps.size);
    };
  }
}
