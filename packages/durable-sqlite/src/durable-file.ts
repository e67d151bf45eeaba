import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens a SQLite file for durable bookkeeping: WAL, and every commit synced
 * to disk before it returns; `schema` runs first. The file is its owner's
 * alone (0600; SQLite gives its WAL the same mode): these files hold
 * password hashes, payment tokens and shoppers' orders.
 */
export function openDurableFile(file: string, schema = ''): Database.Database {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  return db;
}
