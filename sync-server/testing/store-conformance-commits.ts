/** Conformance: commits — pushes ('each' with assumed states), batches ('all', strict preconditions), deadlines, guarded increments. */
import { describe, expect, it } from 'vitest';
import { deliverySlot } from '@pourover/schemas';
import { userDoc, uuid } from '../test/support/test-server.ts';
import type { Expectation } from '../src/store/store.ts';
import { A, assumed, fromNow, none, S, slot, takePlace, to, write, type FreshStore } from './store-conformance-support.ts';
import type { Write } from '../src/store/store.ts';

export function commitConformance(fresh: FreshStore): void {
  describe('pushes', () => {
    it('returns the current state of a row whose assumed state is stale, leaves that row alone and applies the others', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      await store.commit(A, [write(userDoc(1, { name: 'Changed elsewhere' }))], 'each');
      const head = await store.head(A);

      const result = await store.commit(
        A,
        [
          write(userDoc(1, { name: 'Mine' }), assumed(userDoc(1))),
          write(userDoc(2, { name: 'Also mine' }), assumed(userDoc(2))),
          write(userDoc(3), assumed(null)),
        ],
        'each',
      );

      expect(result).toMatchObject({ ok: true, changed: true, seq: head + 2 });
      expect(result.ok && result.conflicts.map((row) => row.document)).toEqual([userDoc(1, { name: 'Changed elsewhere' })]);
      expect(result.ok && result.conflicts[0]).toMatchObject({ replica: A, collection: 'user', seq: head });
      expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Changed elsewhere' }));
      expect((await store.get(A, 'user', uuid(2)))?.document).toEqual(userDoc(2, { name: 'Also mine' }));
      expect((await store.get(A, 'user', uuid(3)))?.document).toEqual(userDoc(3));
    });

    it('treats a row assumed absent that exists as a conflict', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1))], 'each');
      const result = await store.commit(A, [write(userDoc(1, { name: 'New' }), assumed(null))], 'each');
      expect(result).toMatchObject({ ok: true, changed: false, seq: 1 });
      expect(result.ok && result.conflicts.map((row) => row.document)).toEqual([userDoc(1)]);
    });

    it('changes nothing when an identical push is retried, even though its assumed state is now stale', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1))], 'each');
      const push = [write(userDoc(1, { name: 'Once' }), assumed(userDoc(1))), write(userDoc(2), assumed(null))];
      const first = await store.commit(A, push, 'each');
      const head = await store.head(A);
      const before = await store.changesSince(A, 0, 100);

      const retry = await store.commit(A, push, 'each');

      expect(first).toMatchObject({ ok: true, changed: true, conflicts: [] });
      expect(retry).toEqual({ ok: true, changed: false, seq: head, conflicts: [] });
      expect(await store.head(A)).toBe(head);
      expect(await store.changesSince(A, 0, 100)).toEqual(before);
    });

    it('treats a write equal to the current state as done, so a retried push succeeds without a new change', async () => {
      const { store } = await fresh();
      const push = [write(userDoc(1), assumed(null)), write(userDoc(2), assumed(null))];
      expect(await store.commit(A, push, 'each')).toMatchObject({ ok: true, changed: true, seq: 2 });
      expect(await store.commit(A, push, 'each')).toEqual({ ok: true, changed: false, seq: 2, conflicts: [] });
      expect(await store.head(A)).toBe(2);
    });

    it('reports head 0 and no change for an empty commit on a new replica', async () => {
      const { store } = await fresh();
      expect(await store.commit(A, [], 'each')).toEqual({ ok: true, changed: false, seq: 0, conflicts: [] });
      expect(await store.head(A)).toBe(0);
    });
  });

  describe('batches', () => {
    it('changes nothing when one precondition fails and reports the failing index and current state', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
      const head = await store.head(A);
      const before = await store.changesSince(A, 0, 100);

      const result = await store.commit(
        A,
        [
          write(userDoc(3), { kind: 'absent' }),
          write(userDoc(1, { name: 'Batched' }), { kind: 'equals', state: userDoc(1) }),
          write(userDoc(2, { name: 'Batched' }), { kind: 'absent' }),
          write(userDoc(4), none),
        ],
        'all',
      );

      expect(result).toMatchObject({ ok: false, failedIndex: 2 });
      expect(!result.ok && result.reason === 'precondition' && result.current?.document).toEqual(userDoc(2));
      expect(await store.head(A)).toBe(head);
      expect(await store.changesSince(A, 0, 100)).toEqual(before);
      expect(await store.get(A, 'user', uuid(3))).toBeNull();
    });

    it('fails an equals precondition on a missing document with no current state', async () => {
      const { store } = await fresh();
      const result = await store.commit(A, [write(userDoc(1), { kind: 'equals', state: userDoc(1, { name: 'x' }) })], 'all');
      expect(result).toEqual({ ok: false, reason: 'precondition', failedIndex: 0, current: null });
      expect(await store.head(A)).toBe(0);
    });

    it('applies every write under one new head when the preconditions hold', async () => {
      const { store } = await fresh();
      await store.commit(A, [write(userDoc(1))], 'each');
      const result = await store.commit(
        A,
        [write(userDoc(1, { name: 'B' }), { kind: 'equals', state: userDoc(1) }), write(userDoc(2), { kind: 'absent' })],
        'all',
      );
      expect(result).toEqual({ ok: true, changed: true, seq: 3, conflicts: [] });
      expect((await store.changesSince(A, 1, 100)).map((row) => [row.document.id, row.seq])).toEqual([
        [uuid(1), 2],
        [uuid(2), 3],
      ]);
    });

    it('holds preconditions strictly: a retried batch fails on them and changes nothing, so it cannot apply twice', async () => {
      const { store } = await fresh();
      const batch = [write(userDoc(1), { kind: 'absent' }), write(userDoc(2), { kind: 'absent' })];
      expect(await store.commit(A, batch, 'all')).toMatchObject({ ok: true, changed: true, seq: 2 });
      expect(await store.commit(A, batch, 'all')).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 0 });
      expect(await store.head(A)).toBe(2);
    });

    it('makes a document written `first` once: made again, it is left as it stands, changed or deleted, with no conflict', async () => {
      const { store } = await fresh();
      const first: Expectation = { kind: 'first' };
      expect(await store.commit(A, [write(userDoc(1), first)], 'all')).toMatchObject({ ok: true, changed: true, seq: 1 });
      await store.commit(A, [write(userDoc(1, { name: 'Edited since' }))], 'each');
      await store.commit(A, [write({ ...userDoc(2), _deleted: true })], 'each');

      const again = await store.commit(
        A,
        [write(userDoc(1, { name: 'Made again' }), first), write(userDoc(2), first), write(userDoc(3), first)],
        'all',
      );

      expect(again).toEqual({ ok: true, changed: true, seq: 4, conflicts: [] });
      expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Edited since' }));
      expect((await store.get(A, 'user', uuid(2)))?.document._deleted).toBe(true);
      expect((await store.get(A, 'user', uuid(3)))?.document).toEqual(userDoc(3));
    });

    it('rolls back writes to another replica with the rest when a precondition fails', async () => {
      const { store } = await fresh();
      const result = await store.commit(A, [to(S, write(userDoc(1))), write(userDoc(2), { kind: 'equals', state: userDoc(2) })], 'all');
      expect(result).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 1 });
      expect(await store.head(S)).toBe(0);
      expect(await store.get(S, 'user', uuid(1))).toBeNull();
    });

    it('refuses a commit whose deadline has passed, changing nothing, and applies one still before its deadline', async () => {
      const { store } = await fresh();
      expect(await store.commit(A, [write(userDoc(1))], 'all', { deadline: fromNow(-60_000) })).toEqual({ ok: false, reason: 'deadline' });
      expect(await store.commit(A, [write(userDoc(1))], 'each', { deadline: fromNow(-1) })).toEqual({ ok: false, reason: 'deadline' });
      expect(await store.head(A)).toBe(0);
      expect(await store.commit(A, [write(userDoc(1))], 'all', { deadline: fromNow(60_000) })).toMatchObject({ ok: true, seq: 1 });
    });
  });

  describe('guarded increments', () => {
    it('adds to a field of the current state, up to the limit field', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1, { capacity: 2 }), none, 'availability')], 'each');
      expect(await store.commit(S, [takePlace(1)], 'all')).toMatchObject({ ok: true, changed: true, seq: 2 });
      expect(await store.commit(S, [takePlace(1)], 'all')).toMatchObject({ ok: true, seq: 3 });
      const full = await store.commit(S, [takePlace(1)], 'all');
      expect(full).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 0, detail: 'limit' });
      expect(!full.ok && full.reason === 'precondition' && full.current?.document).toMatchObject({ taken: 2, capacity: 2 });
      expect((await store.get(S, 'availability', uuid(1)))?.document).toMatchObject({ taken: 2 });
    });

    it('counts two increments of one document in one commit, the second seeing the first', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1, { capacity: 3, taken: 1 }), none, 'availability')], 'each');
      expect(await store.commit(S, [takePlace(1), takePlace(1)], 'all')).toMatchObject({ ok: true, seq: 3 });
      expect((await store.get(S, 'availability', uuid(1)))?.document).toMatchObject({ taken: 3 });
      expect(await store.commit(S, [takePlace(1)], 'all')).toMatchObject({ ok: false, detail: 'limit' });
    });

    it('refuses an increment once the server clock reaches the time field', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1, { cutoff: fromNow(-1_000) }), none, 'availability')], 'each');
      expect(await store.commit(S, [takePlace(1)], 'all')).toMatchObject({ ok: false, reason: 'precondition', detail: 'too-late' });
      expect((await store.get(S, 'availability', uuid(1)))?.document).toMatchObject({ taken: 0 });
    });

    it('refuses an increment of a missing or deleted document', async () => {
      const { store } = await fresh();
      expect(await store.commit(S, [takePlace(1)], 'all')).toEqual({
        ok: false,
        reason: 'precondition',
        failedIndex: 0,
        current: null,
        detail: 'absent',
      });
      await store.commit(S, [write(slot(2, {}, true), none, 'availability')], 'each');
      expect(await store.commit(S, [takePlace(2)], 'all')).toMatchObject({ ok: false, detail: 'absent' });
    });

    it('is atomic with the rest of its commit: a refused increment leaves every other write undone, in either mode', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1, { capacity: 0 }), none, 'availability')], 'each');
      const head = { a: await store.head(A), s: await store.head(S) };
      for (const mode of ['all', 'each'] as const) {
        const result = await store.commit(A, [write(userDoc(1), { kind: 'absent' }), takePlace(1)], mode);
        expect(result).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 1, detail: 'limit' });
      }
      expect({ a: await store.head(A), s: await store.head(S) }).toEqual(head);
      expect(await store.get(A, 'user', uuid(1))).toBeNull();
    });

    it('never stores a count its collection’s schema refuses: below zero or past the maximum is the limit (KB4)', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1, { capacity: 9_999, taken: 1 }), none, 'availability')], 'each');
      const before = await store.get(S, 'availability', uuid(1));
      const by = (field: string, amount: number): Write => ({
        collection: 'availability',
        increment: { id: uuid(1), field, by: amount },
        schema: deliverySlot,
      });
      for (const increment of [by('taken', -2), by('capacity', 2)]) {
        expect(await store.commit(S, [increment], 'all')).toMatchObject({
          ok: false,
          reason: 'precondition',
          failedIndex: 0,
          detail: 'limit',
        });
      }
      expect(await store.get(S, 'availability', uuid(1))).toEqual(before);
      expect(await store.commit(S, [by('taken', -1), by('capacity', 1)], 'all')).toMatchObject({ ok: true, changed: true });
      expect((await store.get(S, 'availability', uuid(1)))?.document).toMatchObject({ taken: 0, capacity: 10_000 });
    });

    it('applies an increment with the writes of a batch on another replica, in one commit', async () => {
      const { store } = await fresh();
      await store.commit(S, [write(slot(1), none, 'availability')], 'each');
      const result = await store.commit(A, [write(userDoc(1), { kind: 'absent' }), takePlace(1)], 'all');
      expect(result).toEqual({ ok: true, changed: true, seq: 1, conflicts: [] });
      const [user, place] = [await store.get(A, 'user', uuid(1)), await store.get(S, 'availability', uuid(1))];
      expect(place).toMatchObject({ seq: 2, document: { taken: 1 } });
      expect(place?.commit).toBe(user?.commit);
    });
  });
}
