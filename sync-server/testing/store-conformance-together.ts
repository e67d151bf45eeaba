/**
 * Conformance: commits asked for together. A store may write them in one
 * transaction (group commit); each must still be decided on its own, in the
 * order asked, over the state the ones before it left.
 */
import { describe, expect, it } from 'vitest';
import { userDoc, uuid } from '../test/support/test-server.ts';
import { A, none, S, slot, takePlace, write, type FreshStore } from './store-conformance-support.ts';

export function togetherConformance(fresh: FreshStore): void {
  describe('commits asked for together', () => {
    it('applies each in order, and a refused batch among them changes nothing of its own', async () => {
      const { store, reopen, close } = await fresh();
      const first = userDoc(1);
      const [written, refused, after] = await Promise.all([
        store.commit(A, [write(first)], 'each'),
        store.commit(A, [write(userDoc(2)), write(userDoc(3), { kind: 'equals', state: userDoc(3, { name: 'never written' }) })], 'all'),
        // Sees the first commit's write, though they may share a transaction.
        store.commit(A, [write(userDoc(1, { name: 'Renamed' }), { kind: 'assumed', state: first })], 'each'),
      ]);
      expect(written).toMatchObject({ ok: true, seq: 1 });
      expect(refused).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 1, current: null });
      expect(after).toEqual({ ok: true, changed: true, seq: 2, conflicts: [] });
      expect(await store.get(A, 'user', userDoc(2).id)).toBeNull();
      await close(store);
      const reopened = await reopen();
      expect((await reopened.get(A, 'user', first.id))?.document).toMatchObject({ name: 'Renamed' });
      expect(await reopened.head(A)).toBe(2);
    });

    it('reports a conflict with, or a refusal on, a document an earlier one wrote as that commit stored it', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1, { capacity: 1 }), none, 'availability')], 'each');
      const [placed, stale, full] = await Promise.all([
        store.commit(A, [write(userDoc(1, { name: 'First' })), takePlace(1)], 'all'),
        store.commit(A, [write(userDoc(1, { name: 'Second' }), { kind: 'assumed', state: userDoc(1, { name: 'Stale' }) })], 'each'),
        store.commit(A, [takePlace(1)], 'all'),
      ]);
      expect(placed).toMatchObject({ ok: true, seq: 1 });
      const stored = await store.get(A, 'user', userDoc(1).id);
      expect(stale).toEqual({ ok: true, changed: false, seq: 1, conflicts: [stored] });
      const taken = await store.get(S, 'availability', uuid(1));
      expect(taken?.document).toMatchObject({ taken: 1 });
      expect(full).toEqual({ ok: false, reason: 'precondition', failedIndex: 0, current: taken, detail: 'limit' });
    });

    it('writes the commits asked for before it is closed', async () => {
      const { store, reopen, close } = await fresh();
      const asked = Promise.all([store.commit(A, [write(userDoc(4))], 'each'), store.commit(A, [write(userDoc(5))], 'each')]);
      await close(store);
      expect(await asked).toMatchObject([
        { ok: true, seq: 1 },
        { ok: true, seq: 2 },
      ]);
      const reopened = await reopen();
      expect(await reopened.head(A)).toBe(2);
    });
  });
}
