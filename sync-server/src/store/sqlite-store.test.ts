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
