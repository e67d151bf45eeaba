import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../test/support/test-server.ts';
import { identityConformance } from '@pourover/sync-server/testing';
import { SqliteIdentityStore } from './sqlite-identity-store.ts';

const folder = tempDir();
afterAll(() => folder.remove());
let files = 0;
const nextFile = () => join(folder.dir, `identity-${(files += 1)}.sqlite`);

identityConformance('sqlite', async () => {
  const file = nextFile();
  return { identity: new SqliteIdentityStore(file), reopen: async () => new SqliteIdentityStore(file), cleanup: async () => {} };
});

it('refuses an identity file written by a newer server', () => {
  const file = nextFile();
  const db = new Database(file);
  db.pragma('user_version = 99');
  db.close();
  expect(() => new SqliteIdentityStore(file)).toThrow(/newer than this server knows/);
});
