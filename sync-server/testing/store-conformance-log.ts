/** Conformance: the per-replica change log — pull, changesSince, head, get, tombstones, other replicas, reopening. */
import { describe, expect, it } from 'vitest';
import { orderDoc, userDoc, uuid } from '../test/support/test-server.ts';
import { A, assumed, B, ids, none, S, to, write, type FreshStore } from './store-conformance-support.ts';

export function logConformance(fresh: FreshStore): void {
  describe('change log', () => {
    it('pulls the changes of one collection after a seq, in change order, leaving other collections out', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(orderDoc(50), none, 'draftOrders'), write(userDoc(2))], 'each');
      await store.commit(A, [write(userDoc(3))], 'each');
      await store.commit(A, [write(userDoc(1, { name: 'Renamed' }))], 'each');

      const all = await store.pull(A, 'user', 0, 100);
      expect(ids(all)).toEqual([uuid(2), uuid(3), uuid(1)]);
      expect(all.map((row) => row.seq)).toEqual([3, 4, 5]);
      expect(all.at(-1)?.document).toEqual(userDoc(1, { name: 'Renamed' }));
      expect(ids(await store.pull(A, 'user', 3, 100))).toEqual([uuid(3), uuid(1)]);
      expect(ids(await store.pull(A, 'user', 0, 1))).toEqual([uuid(2)]);
      expect(ids(await store.pull(A, 'user', 5, 100))).toEqual([]);
      expect(ids(await store.pull(A, 'draftOrders', 0, 100))).toEqual([uuid(50)]);
      expect(ids(await store.changesSince(A, 0, 100))).toEqual([uuid(50), uuid(2), uuid(3), uuid(1)]);
      expect(ids(await store.changesSince(A, 2, 2))).toEqual([uuid(2), uuid(3)]);
    });

    it('names its history with an epoch that every store over the same data shares, and a reopen keeps', async () => {
      const handle = await fresh();
      expect(handle.store.epoch).toMatch(/^[0-9a-f]{16}$/);
      const beside = await handle.reopen();
      expect(beside.epoch).toBe(handle.store.epoch);
      const other = await fresh();
      expect(other.store.epoch).not.toBe(handle.store.epoch);
    });

    it('keeps each replica its own change log and head', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(B, [write(userDoc(1, { name: 'Other' }))], 'each');
      expect(await store.head(A)).toBe(2);
      expect(await store.head(B)).toBe(1);
      expect(await store.head('bluebottle:users:nobody')).toBe(0);
      expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1));
      expect((await store.get(B, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Other' }));
      expect(ids(await store.pull(B, 'user', 0, 100))).toEqual([uuid(1)]);
    });

    it('tells the position of the latest change to each collection of a replica, tombstones included', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(orderDoc(2), none, 'draftOrders')], 'each');
      await store.commit(A, [write(userDoc(3)), write(userDoc(1, {}, true))], 'each');
      await store.commit(B, [write(userDoc(4))], 'each');
      expect(await store.collectionHead(A, 'user')).toBe(4);
      expect(await store.collectionHead(A, 'draftOrders')).toBe(2);
      expect(await store.collectionHead(A, 'catalog')).toBe(0);
      expect(await store.collectionHead(B, 'user')).toBe(1);
    });

    it('gets a document with its replica, collection, seq, server time and commit, and nothing for one never written', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1))], 'each');
      const got = await store.get(A, 'user', uuid(1));
      expect(got).toMatchObject({ replica: A, collection: 'user', document: userDoc(1), seq: 1 });
      expect(got?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Math.abs(Date.parse(got?.updatedAt ?? '') - Date.now())).toBeLessThan(60_000);
      expect(await store.get(A, 'user', uuid(2))).toBeNull();
      expect(await store.get(A, 'draftOrders', uuid(1))).toBeNull();
      expect(await store.get(B, 'user', uuid(1))).toBeNull();
    });

    it('gets several documents of one collection in the order asked, null for one never written or in another replica or collection', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2)), write(orderDoc(3), none, 'draftOrders')], 'each');
      await store.commit(B, [write(userDoc(4))], 'each');
      const got = await store.getMany(A, 'user', [uuid(2), uuid(3), uuid(1), uuid(4), uuid(2)]);
      expect(got.map((stored) => stored && [stored.document, stored.seq])).toEqual([
        [userDoc(2), 2],
        null,
        [userDoc(1), 1],
        null,
        [userDoc(2), 2],
      ]);
      expect(got[0]).toEqual(await store.get(A, 'user', uuid(2)));
      expect(await store.getMany(A, 'user', [])).toEqual([]);
    });

    it('tells where each named document stands, in the order asked, 0 for one never written, without reading other replicas or collections', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(A, [write(userDoc(1, { name: 'Renamed' })), write(orderDoc(3), none, 'draftOrders')], 'each');
      await store.commit(B, [write(userDoc(4))], 'each');
      expect(await store.seqs(A, 'user', [uuid(2), uuid(4), uuid(1), uuid(3)])).toEqual([2, 0, 3, 0]);
      expect(await store.seqs(A, 'draftOrders', [uuid(3)])).toEqual([4]);
      expect(await store.seqs(A, 'user', [])).toEqual([]);
    });

    it('numbers commits store-wide: the documents of one commit share a number, and later commits of any replica have higher ones', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(B, [write(userDoc(3))], 'each');
      await store.commit(A, [write(userDoc(4))], 'each');
      const [one, two] = await store.changesSince(A, 0, 100);
      const [three] = await store.changesSince(B, 0, 100);
      const four = await store.get(A, 'user', uuid(4));
      expect(one?.commit).toBe(two?.commit);
      expect(three?.commit).toBeGreaterThan(one?.commit ?? Infinity);
      expect(four?.commit).toBeGreaterThan(three?.commit ?? Infinity);
    });

    it('keeps a tombstone, pulls it as a change, and lets an absent precondition write over it', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(A, [write(userDoc(1, {}, true), assumed(userDoc(1)))], 'each');

      expect(await store.get(A, 'user', uuid(1))).toMatchObject({ seq: 3, document: userDoc(1, {}, true) });
      const pulled = await store.pull(A, 'user', 2, 100);
      expect(pulled.map((row) => row.document)).toEqual([userDoc(1, {}, true)]);

      const revived = await store.commit(A, [write(userDoc(1, { name: 'Back' }), { kind: 'absent' })], 'all');
      expect(revived).toMatchObject({ ok: true, changed: true, seq: 4 });
      expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Back' }));
    });

    it('applies writes aimed at another replica in that replica’s log, in the same commit, and reports the commit replica’s head', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1))], 'each');
      const result = await store.commit(
        A,
        [write(userDoc(2)), to(S, write(orderDoc(9), none, 'placedOrders')), to(B, write(userDoc(3)))],
        'all',
      );

      expect(result).toEqual({ ok: true, changed: true, seq: 2, conflicts: [] });
      expect(await store.head(S)).toBe(1);
      expect(await store.head(B)).toBe(1);
      const placed = await store.get(S, 'placedOrders', uuid(9));
      expect(placed).toMatchObject({ replica: S, seq: 1, document: orderDoc(9) });
      expect(placed?.commit).toBe((await store.get(A, 'user', uuid(2)))?.commit);
      expect(await store.get(A, 'placedOrders', uuid(9))).toBeNull();

      const elsewhereOnly = await store.commit(A, [to(B, write(userDoc(4)))], 'each');
      expect(elsewhereOnly).toEqual({ ok: true, changed: true, seq: 2, conflicts: [] });
    });

    it('keeps documents, tombstones, heads and commit numbers across a reopen, and continues the change log after them', async () => {
      const opened = await fresh();
      const { store } = opened;
      await store.commit(A, [write(userDoc(1)), write(userDoc(2, {}, true))], 'each');
      await store.commit(B, [write(orderDoc(7), none, 'draftOrders')], 'each');
      const before = { a: await store.changesSince(A, 0, 100), b: await store.changesSince(B, 0, 100) };
      const lastCommit = (await store.watchSnapshot('draftOrders')).commit;
      await opened.close(store);

      const reopened = await opened.reopen();
      expect(await reopened.head(A)).toBe(2);
      expect(await reopened.head(B)).toBe(1);
      expect({ a: await reopened.changesSince(A, 0, 100), b: await reopened.changesSince(B, 0, 100) }).toEqual(before);
      expect((await reopened.watchSnapshot('draftOrders')).commit).toBe(lastCommit);
      expect(await reopened.commit(A, [write(userDoc(3))], 'each')).toMatchObject({ ok: true, seq: 3 });
      expect((await reopened.get(A, 'user', uuid(3)))?.commit).toBe(lastCommit + 1);
    });
  });
}
