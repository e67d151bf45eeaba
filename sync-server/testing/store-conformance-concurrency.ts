/**
 * Conformance: commits running at once. A store that runs transactions in
 * parallel (PostgreSQL) must still look, to readers and to preconditions,
 * as if they ran one after another.
 */
import { describe, expect, it } from 'vitest';
import { orderDoc, userDoc, uuid } from '../test/support/test-server.ts';
import type { Store } from '../src/store/store.ts';
import { A, B, none, S, slot, takePlace, to, write, type FreshStore } from './store-conformance-support.ts';

const WRITERS = 6;
const COMMITS_EACH = 25;

/**
 * Writer `w`'s commit `i`: one new user document in the writer's own
 * replica, so writers run side by side, and every third time a new draft in
 * the shared replica A, so A's log is written by commits of every writer.
 */
function writerCommit(store: Store, w: number, i: number) {
  const n = 1_000 * (w + 1) + i;
  const writes = [write(userDoc(n))];
  if (i % 3 === 0) writes.push(to(A, write(orderDoc(n), none, 'draftOrders')));
  return store.commit(`bluebottle:users:${uuid(w + 1)}`, writes, 'each');
}

/** Runs reads side by side first, so a pooled store has its connections open and the commits that follow really overlap. */
async function warmed(fresh: FreshStore) {
  const opened = await fresh();
  await Promise.all(Array.from({ length: 16 }, () => opened.store.head(A)));
  return opened;
}

export function concurrencyConformance(fresh: FreshStore): void {
  describe('concurrent commits', () => {
    it('never shows a reader a later change or commit before an earlier one', async () => {
      const { store } = await warmed(fresh);
      const gaps: string[] = [];
      let writing = true;
      const position = { seq: 0, commit: 0 };

      const reader = (async () => {
        for (;;) {
          // Read the flag first: the pass after the last commit finished must see everything.
          const last = !writing;
          // Every write is a new document, so A's log and the user commits have no holes: a hole is a change seen out of order.
          for (const row of await store.changesSince(A, position.seq, 1_000)) {
            if (row.seq !== position.seq + 1) gaps.push(`seq ${row.seq} seen after ${position.seq}`);
            position.seq = row.seq;
          }
          for (const row of await store.watchChanges('user', position.commit, 1_000)) {
            if (row.commit !== position.commit + 1) gaps.push(`commit ${row.commit} seen after ${position.commit}`);
            position.commit = row.commit;
          }
          if (last) return;
          // Between passes the reader yields to the event loop, as a request does: the embedded store commits there (group commit).
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < COMMITS_EACH; i += 1) expect(await writerCommit(store, w, i)).toMatchObject({ ok: true, changed: true });
      });
      try {
        await Promise.all(writers);
      } finally {
        writing = false;
        await reader;
      }

      expect(gaps).toEqual([]);
      expect(position.seq).toBe(await store.head(A));
      expect(position.commit).toBe(WRITERS * COMMITS_EACH);
    });

    it('lets exactly one of several batches that each need a document absent apply', async () => {
      const { store } = await warmed(fresh);
      await store.commit(A, [write(userDoc(99))], 'each');
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.commit(A, [write(userDoc(1, { name: `Writer ${i}` }), { kind: 'absent' })], 'all')),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok && result.reason === 'precondition')).toHaveLength(11);
      expect(await store.head(A)).toBe(2);
    });

    it('never takes a guarded counter past its limit, however many increments race for it', async () => {
      const { store } = await warmed(fresh);
      await store.commit(S, [write(slot(1, { capacity: 5 }), none, 'availability')], 'each');
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => store.commit(i % 2 ? A : B, [write(userDoc(100 + i)), takePlace(1)], 'all')),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(5);
      expect(results.filter((result) => !result.ok && result.reason === 'precondition' && result.detail === 'limit')).toHaveLength(11);
      expect((await store.get(S, 'availability', uuid(1)))?.document).toMatchObject({ taken: 5 });
      expect(await store.head(S)).toBe(6);
      expect((await store.head(A)) + (await store.head(B))).toBe(5);
    });

    it('completes commits that write the same replicas in opposite orders', async () => {
      const { store } = await warmed(fresh);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const [home, other] = i % 2 ? [A, B] : [B, A];
          return store.commit(home, [write(userDoc(200 + i)), to(other, write(userDoc(300 + i)))], 'all');
        }),
      );
      expect(results.every((result) => result.ok)).toBe(true);
      expect([await store.head(A), await store.head(B)]).toEqual([20, 20]);
    });
  });
}
