import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDurableFile } from './durable-file.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { heldDisk, turns } from '../testing/held-disk.ts';

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
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const open = (options: { syncCommitLog?: NonNullable<GroupCommitOptions['syncCommitLog']>; file?: string } = {}) => {
    const db = openDurableFile(
      options.file ?? join(dir, `store-${(files += 1)}.sqlite`),
      'CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY)',
    );
    const groups: number[] = [];
    const group = new GroupCommit(db, { syncOffLoop: true, onGroup: (writes) => groups.push(writes), ...options });
    const insert = db.prepare<[number]>('INSERT INTO rows (id) VALUES (?)');
    const ids = () =>
      db
        .prepare<[], { id: number }>('SELECT id FROM rows ORDER BY id')
        .all()
        .map((row) => row.id);
    return { db, group, groups, ids, write: (id: number) => group.run(() => insert.run(id).changes) };
  };

  it('answers a write and lets a read through only once its log is synced', async () => {
    const disk = heldDisk();
    const { group, ids, write } = open({ syncCommitLog: disk.syncCommitLog });
    const events: string[] = [];
    const written = write(1).then(() => events.push('write answered'));
    await turns();
    // Committed, so the connection sees it; its sync held, so no one is told.
    expect(ids()).toEqual([1]);
    const read = group.read(() => events.push(`read ${ids().join()}`));
    await turns();
    expect(events).toEqual([]);

    disk.end();
    await Promise.all([written, read]);
    expect(events).toEqual(['write answered', 'read 1']);
    expect(await group.read(ids)).toEqual([1]);
  });

  it('sends the writes that arrive while a log is syncing together in the next group', async () => {
    const { group, groups, ids, write } = open();
    const first = write(1);
    await new Promise(setImmediate);
    await Promise.all([first, write(2), write(3), write(4)]);
    expect(groups).toEqual([1, 3]);
    expect(await group.read(ids)).toEqual([1, 2, 3, 4]);
  });

  it('leaves the connection syncing in COMMIT for every other write', async () => {
    const { db, write } = open();
    await write(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('commits and syncs what is waiting when closed, and then takes no more writes', async () => {
    const { db, group, ids, write } = open();
    const writes = [5, 6].map(write);
    await group.close();
    expect(await Promise.all(writes)).toEqual([1, 1]);
    expect(ids()).toEqual([5, 6]);
    await expect(write(7)).rejects.toThrow(/closing: it takes no more writes/);
    db.close();
  });

  it('refuses every write and read once the disk refuses a sync, and says why', async () => {
    const disk = heldDisk();
    const { group, write } = open({ syncCommitLog: disk.syncCommitLog });
    const first = write(1);
    await turns();
    const next = write(2);
    const read = group.read(() => 'read');
    disk.end(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));

    await expect(first).rejects.toThrow(/the disk did not confirm the commit log was written \(EIO: i\/o error, fdatasync\); restart/);
    await expect(next).rejects.toThrow(/did not confirm/);
    await expect(read).rejects.toThrow(/did not confirm/);
    await expect(write(3)).rejects.toThrow(/did not confirm/);
    expect(group.failure?.message).toMatch(/did not confirm/);
    expect(disk.waiting()).toBe(0);
  });

  it('goes on when a sync ends before it returns', async () => {
    const { group, ids, write } = open({ syncCommitLog: (_fd, done) => done(null) });
    expect(await write(1)).toBe(1);
    expect(await write(2)).toBe(1);
    expect(await group.read(ids)).toEqual([1, 2]);
  });

  it('syncs the log SQLite writes when the data file is reached through a link', async () => {
    const real = join(dir, 'real.sqlite');
    openDurableFile(real).close();
    const link = join(dir, 'link.sqlite');
    symlinkSync(real, link);
    const { group, ids, write } = open({ file: link });
    await write(1);
    expect(existsSync(`${link}-wal`)).toBe(false);
    expect(await group.read(ids)).toEqual([1]);
  });
});
