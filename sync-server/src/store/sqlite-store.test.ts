import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/schemas';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { orderDoc, tempDir, userDoc, uuid } from '../test-support.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Expectation, Write } from './store.ts';

const A = 'bluebottle:users:00000000-0000-4000-8000-00000000000a';
const B = 'bluebottle:users:00000000-0000-4000-8000-00000000000b';

const folder = tempDir();
afterAll(() => folder.remove());

const open: SqliteStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

let files = 0;
function freshStore(file = join(folder.dir, `store-${(files += 1)}.sqlite`)) {
  const store = new SqliteStore({ file });
  open.push(store);
  return { store, file };
}

const none: Expectation = { kind: 'none' };
const write = (document: WireDocument, expect: Expectation = none, collection: CollectionName = 'user'): Write => ({
  collection,
  document,
  expect,
});
const assumed = (state: WireDocument | null): Expectation => ({ kind: 'assumed', state });

const ids = (rows: { document: WireDocument }[]) => rows.map((row) => row.document.id);

describe('SqliteStore', () => {
  it('pulls the changes of one collection after a seq, in change order, leaving other collections out', async () => {
    const { store } = freshStore();
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
  });

  it('keeps each replica its own change log and head', async () => {
    const { store } = freshStore();
    await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
    await store.commit(B, [write(userDoc(1, { name: 'Other' }))], 'each');
    expect(await store.head(A)).toBe(2);
    expect(await store.head(B)).toBe(1);
    expect(await store.head('bluebottle:users:nobody')).toBe(0);
    expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1));
    expect((await store.get(B, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Other' }));
    expect(ids(await store.pull(B, 'user', 0, 100))).toEqual([uuid(1)]);
  });

  it('in a push, returns the current state of a row whose assumed state is stale, leaves that row alone and applies the others', async () => {
    const { store } = freshStore();
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
    expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Changed elsewhere' }));
    expect((await store.get(A, 'user', uuid(2)))?.document).toEqual(userDoc(2, { name: 'Also mine' }));
    expect((await store.get(A, 'user', uuid(3)))?.document).toEqual(userDoc(3));
  });

  it('in a push, treats a row assumed absent that exists as a conflict', async () => {
    const { store } = freshStore();
    await store.commit(A, [write(userDoc(1))], 'each');
    const result = await store.commit(A, [write(userDoc(1, { name: 'New' }), assumed(null))], 'each');
    expect(result).toMatchObject({ ok: true, changed: false, seq: 1 });
    expect(result.ok && result.conflicts.map((row) => row.document)).toEqual([userDoc(1)]);
  });

  it('changes nothing when an identical push is retried, even though its assumed state is now stale', async () => {
    const { store } = freshStore();
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

  it('in a batch, changes nothing when one precondition fails and reports the failing index and current state', async () => {
    const { store } = freshStore();
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

  it('in a batch, fails an equals precondition on a missing document with no current state', async () => {
    const { store } = freshStore();
    const result = await store.commit(A, [write(userDoc(1), { kind: 'equals', state: userDoc(1, { name: 'x' }) })], 'all');
    expect(result).toEqual({ ok: false, reason: 'precondition', failedIndex: 0, current: null });
    expect(await store.head(A)).toBe(0);
  });

  it('in a batch whose preconditions hold, applies every write under one new head', async () => {
    const { store } = freshStore();
    await store.commit(A, [write(userDoc(1))], 'each');
    const result = await store.commit(
      A,
      [write(userDoc(1, { name: 'B' }), { kind: 'equals', state: userDoc(1) }), write(userDoc(2), { kind: 'absent' })],
      'all',
    );
    expect(result).toEqual({ ok: true, changed: true, seq: 3, conflicts: [] });
    expect(ids(await store.changesSince(A, 1, 100))).toEqual([uuid(1), uuid(2)]);
  });

  it('in a batch, holds preconditions strictly: a retried batch fails on them and changes nothing, so it cannot apply twice', async () => {
    const { store } = freshStore();
    const batch = [write(userDoc(1), { kind: 'absent' }), write(userDoc(2), { kind: 'absent' })];
    expect(await store.commit(A, batch, 'all')).toMatchObject({ ok: true, changed: true, seq: 2 });
    expect(await store.commit(A, batch, 'all')).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 0 });
    expect(await store.head(A)).toBe(2);
  });

  it('in a push, treats a write equal to the current state as done, so a retried push succeeds without a new change', async () => {
    const { store } = freshStore();
    const push = [write(userDoc(1), assumed(null)), write(userDoc(2), assumed(null))];
    expect(await store.commit(A, push, 'each')).toMatchObject({ ok: true, changed: true, seq: 2 });
    expect(await store.commit(A, push, 'each')).toEqual({ ok: true, changed: false, seq: 2, conflicts: [] });
    expect(await store.head(A)).toBe(2);
  });

  it('keeps a tombstone, pulls it as a change, and lets an absent precondition write over it', async () => {
    const { store } = freshStore();
    await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
    await store.commit(A, [write(userDoc(1, {}, true), assumed(userDoc(1)))], 'each');

    expect(await store.get(A, 'user', uuid(1))).toMatchObject({ seq: 3, document: userDoc(1, {}, true) });
    const pulled = await store.pull(A, 'user', 2, 100);
    expect(pulled.map((row) => row.document)).toEqual([userDoc(1, {}, true)]);

    const revived = await store.commit(A, [write(userDoc(1, { name: 'Back' }), { kind: 'absent' })], 'all');
    expect(revived).toMatchObject({ ok: true, changed: true, seq: 4 });
    expect((await store.get(A, 'user', uuid(1)))?.document).toEqual(userDoc(1, { name: 'Back' }));
  });

  it('keeps documents, tombstones and heads across a reopen, and continues the change log after them', async () => {
    const { store, file } = freshStore();
    await store.commit(A, [write(userDoc(1)), write(userDoc(2, {}, true))], 'each');
    await store.commit(B, [write(orderDoc(7), none, 'draftOrders')], 'each');
    const before = { a: await store.changesSince(A, 0, 100), b: await store.changesSince(B, 0, 100) };
    await store.close();
    open.splice(open.indexOf(store), 1);

    const { store: reopened } = freshStore(file);
    expect(await reopened.head(A)).toBe(2);
    expect(await reopened.head(B)).toBe(1);
    expect({ a: await reopened.changesSince(A, 0, 100), b: await reopened.changesSince(B, 0, 100) }).toEqual(before);
    const next = await reopened.commit(A, [write(userDoc(3))], 'each');
    expect(next).toMatchObject({ ok: true, seq: 3 });
  });

  it('calls onCommit once per commit that changed a replica, never for a no-op or failed commit, and stops after unsubscribing', async () => {
    const { store } = freshStore();
    const seen: string[] = [];
    const stop = store.onCommit((replica) => seen.push(replica));

    await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
    await store.commit(A, [write(userDoc(1)), write(userDoc(2))], 'each');
    await store.commit(A, [write(userDoc(1, { name: 'x' }), assumed(null))], 'each');
    await store.commit(A, [write(userDoc(5), { kind: 'absent' }), write(userDoc(1, { name: 'y' }), { kind: 'absent' })], 'all');
    await store.commit(B, [write(userDoc(1))], 'all');
    expect(seen).toEqual([A, B]);

    stop();
    await store.commit(A, [write(userDoc(9))], 'each');
    expect(seen).toEqual([A, B]);
  });
});
