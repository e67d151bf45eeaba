import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, userDoc } from '../test-support.ts';
import { SqliteStore } from './sqlite-store.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { storeConformance } from './store-conformance.ts';

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

  it('refuses to open a data file written by a newer server', () => {
    const file = nextFile();
    const db = new Database(file);
    db.pragma(`user_version = ${sqliteMigrations.length + 1}`);
    db.close();
    expect(() => new SqliteStore({ file })).toThrow(/newer than this server knows/);
  });
});

describe('SqliteStore commits asked for together', () => {
  const user = (n: number) => ({ collection: 'user' as const, document: userDoc(n), expect: { kind: 'none' as const } });

  it('applies each in order in one transaction, and a refused batch among them changes nothing of its own', async () => {
    const file = nextFile();
    const store = new SqliteStore({ file });
    const first = userDoc(1);
    const [written, refused, after] = await Promise.all([
      store.commit('bluebottle', [user(1)], 'each'),
      store.commit('bluebottle', [user(2), { collection: 'user', document: userDoc(3), expect: { kind: 'equals', state: userDoc(3, { name: 'never written' }) } }], 'all'),
      // Sees the first commit's write: the commits run one after another, though they share a transaction.
      store.commit('bluebottle', [{ collection: 'user', document: userDoc(1, { name: 'Renamed' }), expect: { kind: 'assumed', state: first } }], 'each'),
    ]);
    expect(written).toMatchObject({ ok: true, seq: 1 });
    expect(refused).toMatchObject({ ok: false, reason: 'precondition', failedIndex: 1 });
    expect(after).toMatchObject({ ok: true, seq: 2, conflicts: [] });
    expect(await store.get('bluebottle', 'user', userDoc(2).id)).toBeNull();
    await store.close();
    const reopened = new SqliteStore({ file });
    expect((await reopened.get('bluebottle', 'user', first.id))?.document).toMatchObject({ name: 'Renamed' });
    expect(await reopened.head('bluebottle')).toBe(2);
    await reopened.close();
  });

  it('writes the commits asked for before it is closed', async () => {
    const file = nextFile();
    const store = new SqliteStore({ file });
    const asked = store.commit('bluebottle', [user(4)], 'each');
    await store.close();
    expect(await asked).toMatchObject({ ok: true, seq: 1 });
    const reopened = new SqliteStore({ file });
    expect(await reopened.get('bluebottle', 'user', userDoc(4).id)).not.toBeNull();
    await reopened.close();
  });
});
