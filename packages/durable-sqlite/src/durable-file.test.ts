import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GroupCommit, openDurableFile } from './durable-file.ts';

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
