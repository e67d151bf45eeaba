/**
 * The store conformance suite: every behaviour the server relies on from a
 * `Store`, run against each store (`sqlite-store.test.ts`,
 * `postgres-store.pg.test.ts`). A new store proves itself by passing it.
 * It registers tests when a test file calls it.
 */
import { afterEach, describe } from 'vitest';
import { concurrencyConformance } from './store-conformance-concurrency.ts';
import { commitConformance } from './store-conformance-commits.ts';
import { logConformance } from './store-conformance-log.ts';
import type { FreshStore, OpenedStore } from './store-conformance-support.ts';
import { watchConformance } from './store-conformance-watch.ts';
import type { Store } from '../src/store/store.ts';
import { togetherConformance } from './store-conformance-together.ts';

/** What a store's test file hands the suite for each test: a store over empty data. */
export type StoreUnderTest = {
  store: Store;
  /** Opens another store over the same data (beside the first, or after the suite closed it). */
  reopen(): Promise<Store>;
  /** Removes the data; the suite has closed every store over it by then. */
  cleanup(): Promise<void>;
};

export function storeConformance(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} store conformance`, () => {
    const opened: { stores: Store[]; closed: Set<Store>; cleanup(): Promise<void> }[] = [];

    afterEach(async () => {
      for (const { stores, closed, cleanup } of opened.splice(0)) {
        for (const store of stores) if (!closed.has(store)) await store.close();
        await cleanup();
      }
    });

    const fresh: FreshStore = async () => {
      const underTest = await open();
      const entry = { stores: [underTest.store], closed: new Set<Store>(), cleanup: () => underTest.cleanup() };
      opened.push(entry);
      const handle: OpenedStore = {
        store: underTest.store,
        async reopen() {
          const store = await underTest.reopen();
          entry.stores.push(store);
          return store;
        },
        async close(store) {
          entry.closed.add(store);
          await store.close();
        },
      };
      return handle;
    };

    logConformance(fresh);
    commitConformance(fresh);
    watchConformance(fresh);
    concurrencyConformance(fresh);
    togetherConformance(fresh);
  });
}
