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

type Pending = { write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit over a durable file: the writes that arrive while a commit is
 * under way go together in the next transaction, one fsync for them all.
 * Each write runs in a savepoint of its own, so one that throws is undone
 * alone; its promise settles only once the transaction is on disk, so
 * nothing is acted on before it is durable.
 */
export class GroupCommit {
  /** Runs a write in a savepoint of its own (better-sqlite3 nests a transaction so); made once, as making one costs more than a savepoint. */
  readonly #inSavepoint: (write: () => unknown) => unknown;
  /** Runs the writes waiting, each in its savepoint, in one BEGIN IMMEDIATE transaction: another process sharing the file never makes it fail midway. */
  readonly #inTransaction: (batch: readonly Pending[], outcomes: Outcome[]) => void;
  readonly #onGroup: ((writes: number) => void) | undefined;
  #pending: Pending[] = [];
  #scheduled = false;

  /** `onGroup` is told how many writes each transaction carried (a server's metrics). */
  constructor(db: Database.Database, onGroup?: (writes: number) => void) {
    this.#onGroup = onGroup;
    this.#inSavepoint = db.transaction((write: () => unknown) => write());
    this.#inTransaction = db.transaction((batch: readonly Pending[], outcomes: Outcome[]) => {
      for (const pending of batch) {
        try {
          outcomes.push({ ok: true, value: this.#inSavepoint(pending.write) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    }).immediate;
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
    this.#onGroup?.(batch.length);
    const outcomes: Outcome[] = [];
    try {
      this.#inTransaction(batch, outcomes);
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
