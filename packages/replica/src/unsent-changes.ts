import type { RxCollection } from 'rxdb/plugins/core';
import { BehaviorSubject } from 'rxjs';

/**
 * Counts the documents written on this device and not yet taken by the
 * server. A write is one the app made: a change event whose context is not
 * replication's (its writes carry `replication-…`). The tabs of a device share
 * one database and only the leading tab pushes, so it alone counts, and it
 * counts the other tabs' writes too (RxDB relays their events over a
 * BroadcastChannel). Each write bumps the document's stamp; a push clears a
 * document only if no write came after the push began.
 */
export class UnsentChanges {
  readonly count$ = new BehaviorSubject(0);
  readonly #stamps = new Map<string, number>();
  #clock = 0;

  watch(collection: RxCollection) {
    collection.eventBulks$.subscribe((bulk) => {
      if (bulk.context.startsWith('replication-') || !collection.database.isLeader()) return;
      for (const event of bulk.events) this.#stamps.set(`${collection.name}/${event.documentId}`, ++this.#clock);
      this.count$.next(this.#stamps.size);
    });
  }

  /** Counts documents found holding writes not yet pushed when syncing starts (made before a reload, say, offline). */
  found(collection: string, ids: readonly string[]) {
    for (const id of ids) this.#stamps.set(`${collection}/${id}`, ++this.#clock);
    this.count$.next(this.#stamps.size);
  }

  /**
   * Call when a push begins; the returned function marks the pushed ids as
   * sent once the server answered. A conflict counts as an answer: the
   * server's state is merged into the device's by the collection's rule, and
   * what the merge adds is pushed again by replication, not by the app.
   */
  beginPush(collection: string, ids: readonly string[]): () => void {
    const started = this.#clock;
    return () => {
      for (const id of ids) {
        const key = `${collection}/${id}`;
        if ((this.#stamps.get(key) ?? Infinity) <= started) this.#stamps.delete(key);
      }
      this.count$.next(this.#stamps.size);
    };
  }
}
