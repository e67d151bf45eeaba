import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDurableFile } from './durable-file.ts';
import { GroupCommit } from './group-commit.ts';

describe('a group commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-group-'));
  const file = join(dir, 'ledger.sqlite');
  const db = openDurableFile(file, 'CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, note TEXT NOT NULL)');
  const group = new GroupCommit(db);
  const insert = db.prepare<[number, string]>('INSERT INTO rows (id, note) VALUES (?, ?)');
  /** What another connection sees: only what is committed. */
  const committed = () => {
    const reader = new Database(file, { readonly: true });
    try {
      return reader
        .prepare<[], { id: number }>('SELECT id FROM rows ORDER BY id')
        .all()
        .map((row) => row.id);
    } finally {
      reader.close();
    }
  };
  afterEach(() => db.exec('DELETE FROM rows'));
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the writes that arrive together in one transaction, and settles each only once it is committed', async () => {
    // What another connection saw as each write ran: nothing committed yet, if all three share one transaction.
    const before: number[][] = [];
    const seen: number[][] = [];
    const writes = [1, 2, 3].map((id) =>
      group
        .run(() => {
          before.push(committed());
          return insert.run(id, `row ${id}`).changes;
        })
        .then((changes) => {
          seen.push(committed());
          return changes;
        }),
    );
    expect(committed()).toEqual([]);

    expect(await Promise.all(writes)).toEqual([1, 1, 1]);
    expect(seen).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(before).toEqual([[], [], []]);
  });

  it('undoes a write that throws alone; the others in its group commit', async () => {
    const results = await Promise.allSettled([
      group.run(() => insert.run(1, 'first')),
      group.run(() => {
        insert.run(2, 'undone with its savepoint');
        return insert.run(1, 'a second row 1');
      }),
      group.run(() => insert.run(3, 'third')),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual([1, 3]);
  });

  it('commits what is still waiting when flushed, as on close', async () => {
    const write = group.run(() => insert.run(7, 'waiting'));
    group.flush();
    expect(committed()).toEqual([7]);
    await write;
  });
});

describe('a group commit that syncs its log off the event loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-group-off-loop-'));
  const db = openDurableFile(join(dir, 'store.sqlite'), 'CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, note TEXT NOT NULL)');
  const groups: number[] = [];
  const group = new GroupCommit(db, { syncOffLoop: true, onGroup: (writes) => groups.push(writes) });
  const insert = db.prepare<[number, string]>('INSERT INTO rows (id, note) VALUES (?, ?)');
  const ids = () =>
    db
      .prepare<[], { id: number }>('SELECT id FROM rows ORDER BY id')
      .all()
      .map((row) => row.id);
  afterEach(() => {
    db.exec('DELETE FROM rows');
    groups.length = 0;
  });
  afterAll(async () => {
    await group.drain();
    group.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('settles a write only once its log is synced, and lets a reader through only after that', async () => {
    const events: string[] = [];
    const write = group.run(() => insert.run(1, 'first')).then(() => events.push('write settled'));
    await new Promise(setImmediate);
    // Committed, so the connection sees it; not yet synced, so a reader must wait.
    expect(ids()).toEqual([1]);
    const unsynced = group.unsynced;
    expect(unsynced).toBeInstanceOf(Promise);
    const read = unsynced!.then(() => events.push(`read ${ids().join()}`));

    await Promise.all([write, read]);
    expect(events).toEqual(['write settled', 'read 1']);
    expect(group.unsynced).toBeUndefined();
  });

  it('sends the writes that arrive while a log is syncing together in the next group', async () => {
    const first = group.run(() => insert.run(1, 'first'));
    await new Promise(setImmediate);
    const next = [2, 3, 4].map((id) => group.run(() => insert.run(id, `row ${id}`)));
    await Promise.all([first, ...next]);
    expect(groups).toEqual([1, 3]);
    expect(ids()).toEqual([1, 2, 3, 4]);
  });

  it('leaves the connection syncing in COMMIT for every other write', async () => {
    await group.run(() => insert.run(1, 'first'));
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('drains: commits what is still waiting and waits for its sync, as on close', async () => {
    const writes = [5, 6].map((id) => group.run(() => insert.run(id, `row ${id}`)));
    await group.drain();
    expect(group.unsynced).toBeUndefined();
    expect(ids()).toEqual([5, 6]);
    expect(await Promise.all(writes)).toMatchObject([{ changes: 1 }, { changes: 1 }]);
  });
});
