import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { shopperReplica, STORE } from '@pourover/schemas';
import { noteDoc, taskDoc } from '../../../testing/notes-app.ts';
import { tempDir, uuid } from '../../../test/support/test-server.ts';
import { SqliteStore } from './sqlite-store.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { storeConformance } from '@pourover/sync-server/testing';

const folder = tempDir();
afterAll(() => folder.remove());

let files = 0;
const nextFile = () => join(folder.dir, `store-${(files += 1)}.sqlite`);

storeConformance('sqlite', async () => {
  const file = nextFile();
  return {
    store: new SqliteStore({ file }),
    reopen: async () => new SqliteStore({ file }),
    // Each test has its own file in a folder removed at the end.
    cleanup: async () => {},
  };
});

describe('SqliteStore', () => {
  it('creates the folder of its data file', async () => {
    const file = join(folder.dir, 'nested', 'deeper', 'pourover.sqlite');
    const store = new SqliteStore({ file });
    await store.commit(STORE, [{ collection: 'notes', document: noteDoc(1), expect: { kind: 'none' } }], 'each');
    await store.close();
    const reopened = new SqliteStore({ file });
    expect(await reopened.head(STORE)).toBe(1);
    await reopened.close();
  });

  it('keeps every document, head and commit of a file written before documents moved to a rowid table', async () => {
    const file = nextFile();
    const old = new Database(file);
    for (const sql of sqliteMigrations.slice(0, 2)) old.exec(sql);
    const put = old.prepare(
      'INSERT INTO documents (replica, collection, id, body, seq, updated_at, commit_no) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const user = shopperReplica(uuid(1));
    const tasks = Array.from({ length: 30 }, (_, n) => taskDoc(n + 1, { state: 'done' }));
    tasks.forEach((task, n) => put.run(user, 'tasks', task.id, JSON.stringify(task), n + 1, '2026-01-01T00:00:00.000Z', n + 1));
    old.prepare('INSERT INTO replicas (name, head) VALUES (?, ?)').run(user, tasks.length);
    old.prepare('INSERT INTO counters (name, value) VALUES (?, ?)').run('commit', tasks.length);
    old.pragma('user_version = 2');
    old.close();

    const store = new SqliteStore({ file });
    expect((await store.pull(user, 'tasks', 0, 100)).map((row) => [row.document, row.seq, row.commit])).toEqual(
      tasks.map((task, n) => [task, n + 1, n + 1]),
    );
    expect(await store.head(user)).toBe(tasks.length);
    expect((await store.watchSnapshot('tasks')).commit).toBe(tasks.length);
    const next = await store.commit(user, [{ collection: 'tasks', document: taskDoc(99), expect: { kind: 'none' } }], 'each');
    expect(next).toMatchObject({ ok: true, seq: tasks.length + 1 });
    expect(await store.watchChanges('tasks', tasks.length, 10)).toMatchObject([{ seq: tasks.length + 1, commit: tasks.length + 1 }]);
    await store.close();

    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('user_version', { simple: true })).toBe(sqliteMigrations.length);
    expect(reopened.prepare(`SELECT sql FROM sqlite_master WHERE name = 'documents'`).get()).not.toMatchObject({
      sql: expect.stringMatching(/WITHOUT ROWID/),
    });
    reopened.close();
  });

  it('refuses to open a data file written by a newer server', () => {
    const file = nextFile();
    const db = new Database(file);
    db.pragma(`user_version = ${sqliteMigrations.length + 1}`);
    db.close();
    expect(() => new SqliteStore({ file })).toThrow(/newer than this server knows/);
  });
});

describe('SqliteStore reads while a commit syncs', () => {
  it('serves a commit to no reader before the commit is answered, since its log syncs off the event loop', async () => {
    const store = new SqliteStore({ file: nextFile() });
    const events: string[] = [];
    const commit = store
      .commit(STORE, [{ collection: 'notes', document: noteDoc(1), expect: { kind: 'none' } }], 'each')
      .then(() => events.push('commit answered'));
    await new Promise(setImmediate);
    const read = store.head(STORE).then((head) => events.push(`head ${head}`));
    const changes = store.changesSince(STORE, 0, 10).then((rows) => events.push(`changes ${rows.length}`));

    await Promise.all([commit, read, changes]);
    expect(events).toEqual(['commit answered', 'head 1', 'changes 1']);
    await store.close();
  });
});
