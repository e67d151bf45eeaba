import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** Opens a SQLite file for durable bookkeeping: WAL, and every commit synced to disk before it returns; `schema` runs first. */
export function openDurableFile(file: string, schema = ''): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  return db;
}

type Pending = { write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * Group commit over a durable file: the writes that arrive while a commit is
 * under way go together in the next transaction, one fsync for them all.
 * Each write runs in a savepoint of its own, so one that throws is undone
 * alone; its promise settles only once the transaction is on disk, so
 * nothing is acted on before it is durable.
 */
export class GroupCommit {
  readonly #db: Database.Database;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Commits every write waiting, in the order they came, in one transaction; then settles each. */
  flush() {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      // BEGIN IMMEDIATE: another process sharing the file never makes this read-then-write transaction fail midway.
      this.#db
        .transaction(() => {
          for (const pending of batch) {
            try {
              outcomes.push({ ok: true, value: this.#db.transaction(pending.write)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
