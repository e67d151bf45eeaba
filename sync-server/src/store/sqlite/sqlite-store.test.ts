import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { orderDoc, tempDir, userDoc } from '../../../test/support/test-server.ts';
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
    await store.commit('bluebottle', [{ collection: 'user', document: userDoc(1), expect: { kind: 'none' } }], 'each');
    await store.close();
    const reopened = new SqliteStore({ file });
    expect(await reopened.head('bluebottle')).toBe(1);
    await reopened.close();
  });

  it('keeps every document, head and commit of a file written before documents moved to a rowid table', async () => {
    const file = nextFile();
    const old = new Database(file);
    for (const sql of sqliteMigrations.slice(0, 2)) old.exec(sql);
    const put = old.prepare(
      'INSERT INTO documents (replica, collection, id, body, seq, updated_at, commit_no) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const shopper = 'bluebottle:users:00000000-0000-4000-8000-000000000001';
    const orders = Array.from({ length: 30 }, (_, n) => orderDoc(n + 1, { status: 'placed' }));
    orders.forEach((order, n) =>
      put.run(shopper, 'placedOrders', order.id, JSON.stringify(order), n + 1, '2026-01-01T00:00:00.000Z', n + 1),
    );
    old.prepare('INSERT INTO replicas (name, head) VALUES (?, ?)').run(shopper, orders.length);
    old.prepare('INSERT INTO counters (name, value) VALUES (?, ?)').run('commit', orders.length);
    old.pragma('user_version = 2');
    old.close();

    const store = new SqliteStore({ file });
    expect((await store.pull(shopper, 'placedOrders', 0, 100)).map((row) => [row.document, row.seq, row.commit])).toEqual(
      orders.map((order, n) => [order, n + 1, n + 1]),
    );
    expect(await store.head(shopper)).toBe(orders.length);
    expect((await store.watchSnapshot('placedOrders')).commit).toBe(orders.length);
    const next = await store.commit(shopper, [{ collection: 'placedOrders', document: orderDoc(99), expect: { kind: 'none' } }], 'each');
    expect(next).toMatchObject({ ok: true, seq: orders.length + 1 });
    expect(await store.watchChanges('placedOrders', orders.length, 10)).toMatchObject([
      { seq: orders.length + 1, commit: orders.length + 1 },
    ]);
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
