/** Conformance: what watchers and workers rely on — watchSnapshot, watchChanges, onCommit, leases. */
import { describe, expect, it } from 'vitest';
import { orderDoc, userDoc, uuid } from '../test/support/test-server.ts';
import { A, assumed, B, none, S, to, write, type FreshStore } from './store-conformance-support.ts';

const PLACED = '2026-11-23T10:00:00.000Z';
const placed = (n: number, deleted = false) => ({ ...orderDoc(n, { status: 'placed', placedTime: PLACED }), _deleted: deleted });
const place = (n: number, deleted = false) => write(placed(n, deleted), none, 'placedOrders');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function watchConformance(fresh: FreshStore): void {
  describe('watching a collection across replicas', () => {
    it('snapshots every live document of a collection, from every replica, with the commit it is current as of', async () => {
      const { store } = await fresh();
      expect(await store.watchSnapshot('placedOrders')).toEqual({ documents: [], commit: 0 });
      await store.commit(A, [place(1), place(2), write(userDoc(3))], 'each');
      await store.commit(B, [place(4)], 'each');
      await store.commit(A, [place(2, true)], 'each');
      await store.commit(B, [write(userDoc(5))], 'each');

      const snapshot = await store.watchSnapshot('placedOrders');
      expect(snapshot.documents.map((row) => [row.replica, row.document.id])).toEqual([
        [A, uuid(1)],
        [B, uuid(4)],
      ]);
      expect(snapshot.commit).toBe((await store.get(B, 'user', uuid(5)))?.commit);
    });

    it('lists the changes after a commit in commit order, each commit’s documents together, tombstones included', async () => {
      const { store } = await fresh();
      await store.commit(A, [place(1)], 'each');
      const { commit: marker } = await store.watchSnapshot('placedOrders');
      await store.commit(B, [place(2), write(userDoc(9)), place(3)], 'each');
      await store.commit(A, [place(1, true), to(S, place(4))], 'all');
      await store.commit(B, [place(5)], 'each');

      const rows = await store.watchChanges('placedOrders', marker, 100);
      expect(rows.map((row) => [row.commit - marker, row.replica, row.document.id, row.document._deleted])).toEqual([
        [1, B, uuid(2), false],
        [1, B, uuid(3), false],
        [2, S, uuid(4), false],
        [2, A, uuid(1), true],
        [3, B, uuid(5), false],
      ]);
      expect((await store.watchChanges('placedOrders', marker, 3)).map((row) => row.document.id)).toEqual([uuid(2), uuid(3), uuid(4)]);
      expect(await store.watchChanges('placedOrders', marker + 3, 100)).toEqual([]);
    });

    it('shows a document overwritten since a marker once, at its latest commit', async () => {
      const { store } = await fresh();
      await store.commit(A, [place(1)], 'each');
      await store.commit(A, [write(orderDoc(1, { status: 'placed', placedTime: PLACED, note: 'again' }), none, 'placedOrders')], 'each');
      const rows = await store.watchChanges('placedOrders', 0, 100);
      expect(rows.map((row) => [row.commit, row.document['note']])).toEqual([[2, 'again']]);
    });

    it('calls onCommit once per commit for every replica it changed, never for a no-op or failed commit, and stops after unsubscribing', async () => {
      const { store } = await fresh();
      const seen: string[] = [];
      const stop = store.onCommit((replica) => seen.push(replica));

      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(A, [write(userDoc(1, { name: 'x' }), assumed(null))], 'each');
      await store.commit(A, [write(userDoc(5), { kind: 'absent' }), write(userDoc(1, { name: 'y' }), { kind: 'absent' })], 'all');
      await store.commit(A, [write(userDoc(6))], 'all', { deadline: new Date(Date.now() - 1_000).toISOString() });
      await store.commit(B, [write(userDoc(1))], 'all');
      expect(seen).toEqual([A, B]);

      await store.commit(A, [write(userDoc(7)), to(S, place(8)), write(userDoc(9))], 'all');
      expect([...seen.slice(2)].sort()).toEqual([A, S].sort());

      stop();
      await store.commit(A, [write(userDoc(10))], 'each');
      expect(seen).toHaveLength(4);
    });
  });

  describe('leases', () => {
    it('grants a lease to one holder at a time and tells the others who holds it until when', async () => {
      const { store } = await fresh();
      const first = await store.acquireLease('processor', 'one', 60_000);
      expect(first).toMatchObject({ granted: true, holder: 'one' });
      expect(Date.parse(first.expiresAt) - Date.now()).toBeGreaterThan(50_000);
      expect(await store.acquireLease('processor', 'two', 60_000)).toEqual({ granted: false, holder: 'one', expiresAt: first.expiresAt });
      expect(await store.acquireLease('other', 'two', 60_000)).toMatchObject({ granted: true, holder: 'two' });
    });

    it('renews a lease for its holder, moving its expiry on', async () => {
      const { store } = await fresh();
      const first = await store.acquireLease('processor', 'one', 1_000);
      await sleep(20);
      const renewed = await store.acquireLease('processor', 'one', 60_000);
      expect(renewed).toMatchObject({ granted: true, holder: 'one' });
      expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    });

    it('lets another holder take a lease once it has expired', async () => {
      const { store } = await fresh();
      await store.acquireLease('processor', 'one', 50);
      await sleep(120);
      expect(await store.acquireLease('processor', 'two', 60_000)).toMatchObject({ granted: true, holder: 'two' });
      expect(await store.acquireLease('processor', 'one', 60_000)).toMatchObject({ granted: false, holder: 'two' });
    });

    it('frees a lease when its holder releases it, and ignores a release by anyone else', async () => {
      const { store } = await fresh();
      await store.acquireLease('processor', 'one', 60_000);
      await store.releaseLease('processor', 'two');
      expect(await store.acquireLease('processor', 'two', 60_000)).toMatchObject({ granted: false, holder: 'one' });
      await store.releaseLease('processor', 'one');
      expect(await store.acquireLease('processor', 'two', 60_000)).toMatchObject({ granted: true, holder: 'two' });
    });

    it('tells who holds a lease and until when, without taking it, and nothing once it is released', async () => {
      const { store } = await fresh();
      expect(await store.readLease('processor')).toBeNull();
      const taken = await store.acquireLease('processor', 'one', 60_000);
      expect(await store.readLease('processor')).toEqual({ holder: 'one', expiresAt: taken.expiresAt });
      expect(await store.acquireLease('processor', 'two', 60_000)).toMatchObject({ granted: false, holder: 'one' });
      await store.releaseLease('processor', 'one');
      expect(await store.readLease('processor')).toBeNull();
    });

    it('still names the last holder of a lease that ran out, with its expiry in the past', async () => {
      const { store } = await fresh();
      await store.acquireLease('processor', 'one', 50);
      await sleep(120);
      const lease = await store.readLease('processor');
      expect(lease).toMatchObject({ holder: 'one' });
      expect(Date.parse(lease?.expiresAt ?? '')).toBeLessThan(Date.now());
    });
  });
}
