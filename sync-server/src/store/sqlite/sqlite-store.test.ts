import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { shopperReplica, STORE } from '@pourover/schemas';
import { noteDoc, taskDoc } from '../../../testing/notes-app.ts';
import { tempDir, uuid } from '../../../test/support/test-server.ts';
import { SqliteStore, SYNC_STALL_MS } from './sqlite-store.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { storeConformance } from '@pourover/sync-server/testing';
import { heldDisk, turns } from '@pourover/durable-sqlite/testing';

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

describe('SqliteStore while a commit syncs', () => {
  it('serves no read of any kind, and answers no commit, before the commit is on disk', async () => {
    const disk = heldDisk();
    const store = new SqliteStore({ file: nextFile(), syncCommitLog: disk.syncCommitLog });
    const answered: string[] = [];
    const commit = store.commit(STORE, [{ collection: 'notes', document: noteDoc(1), expect: { kind: 'none' } }], 'each');
    void commit.then(() => answered.push('commit'));
    await turns();
    const reads = {
      pull: store.pull(STORE, 'notes', 0, 10),
      changesSince: store.changesSince(STORE, 0, 10),
      head: store.head(STORE),
      collectionHead: store.collectionHead(STORE, 'notes'),
      get: store.get(STORE, 'notes', noteDoc(1).id),
      getMany: store.getMany(STORE, 'notes', [noteDoc(1).id]),
      seqs: store.seqs(STORE, 'notes', [noteDoc(1).id]),
      watchSnapshot: store.watchSnapshot('notes'),
      watchChanges: store.watchChanges('notes', 0, 10),
      readLease: store.readLease('nightly-job'),
      acquireLease: store.acquireLease('nightly-job', 'a', 1_000),
    };
    for (const [name, read] of Object.entries(reads)) void read.then(() => answered.push(name));
    await turns();
    expect(answered).toEqual([]);

    disk.end();
    await Promise.all(Object.values(reads));
    expect(answered[0]).toBe('commit');
    expect(answered).toHaveLength(Object.keys(reads).length + 1);
    expect(await reads.head).toBe(1);
    expect((await reads.changesSince).map((row) => row.document)).toEqual([noteDoc(1)]);
    expect((await reads.watchSnapshot).commit).toBe(1);
    await store.close();
  });

  it('refuses every read, write and lease once the disk refuses a sync, as unavailable, and is never ready again', async () => {
    const disk = heldDisk();
    const heard: unknown[] = [];
    const store = new SqliteStore({ file: nextFile(), syncCommitLog: disk.syncCommitLog, onError: (error) => heard.push(error) });
    const commit = store.commit(STORE, [{ collection: 'notes', document: noteDoc(1), expect: { kind: 'none' } }], 'each');
    await turns();
    disk.end(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));

    await expect(commit).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/the disk did not confirm the commit log/),
    });
    await expect(store.head(STORE)).rejects.toThrow(/did not confirm/);
    await expect(store.acquireLease('nightly-job', 'a', 1_000)).rejects.toThrow(/did not confirm/);
    await expect(store.releaseLease('nightly-job', 'a')).rejects.toThrow(/did not confirm/);
    await expect(store.commit(STORE, [{ collection: 'notes', document: noteDoc(2), expect: { kind: 'none' } }], 'each')).rejects.toThrow(
      /did not confirm/,
    );
    expect(store.readiness()).toMatchObject({ ready: false, fatal: true, reason: expect.stringMatching(/restart the server/) });
    expect(heard).toHaveLength(1);
    expect(String(heard[0])).toMatch(/EIO/);
    await store.close();
  });

  it('is not ready while the disk has not confirmed a sync for a while, and ready again once it does', async () => {
    const disk = heldDisk();
    let now = Date.parse('2026-12-06T00:00:00Z');
    const store = new SqliteStore({ file: nextFile(), syncCommitLog: disk.syncCommitLog, now: () => new Date(now) });
    const commit = store.commit(STORE, [{ collection: 'notes', document: noteDoc(1), expect: { kind: 'none' } }], 'each');
    await turns();
    now += SYNC_STALL_MS;
    expect(store.readiness()).toEqual({ ready: true });
    now += 2_000;
    expect(store.readiness()).toEqual({ ready: false, reason: 'the disk has not confirmed a commit for 7 s' });

    disk.end();
    await commit;
    expect(store.readiness()).toEqual({ ready: true });
    await store.close();
  });
});
