import { closeSync, fdatasync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';

type Pending = { write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export type GroupCommitOptions = {
  /** Told how many writes each transaction carried (a server's metrics). */
  onGroup?: ((writes: number) => void) | undefined;
  /**
   * Sync each group's commit log on libuv's thread pool instead of in COMMIT on the event loop. Only for an owner
   * whose every read waits for `unsynced` first: until the sync ends, the connection sees a commit that a power cut
   * could still undo.
   */
  syncOffLoop?: boolean;
};

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
  readonly #db: Database.Database;
  readonly #onGroup: ((writes: number) => void) | undefined;
  /** The commit log's path when its sync runs off the event loop; undefined when COMMIT syncs it. */
  readonly #wal: string | undefined;
  #walFd: number | undefined;
  #pending: Pending[] = [];
  #scheduled = false;
  /** Settles once the last group's commit log is on disk; undefined when nothing waits to be synced. */
  #syncing: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(db: Database.Database, options: GroupCommitOptions = {}) {
    this.#db = db;
    this.#onGroup = options.onGroup;
    this.#wal = options.syncOffLoop && !db.memory ? `${db.name}-wal` : undefined;
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
      if (this.#failed) return reject(this.#failed);
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /**
   * While a group's commit log is being synced, a promise that settles once it is on disk (rejected if the disk
   * refused); undefined when every commit the connection can see is durable. Readers wait for it before reading.
   */
  get unsynced(): Promise<void> | undefined {
    return this.#failed ? Promise.reject(this.#failed) : this.#syncing;
  }

  /** Why this group refuses every read and write since its disk refused a sync; undefined while it serves. */
  get failure(): Error | undefined {
    return this.#failed;
  }

  /** Commits every write waiting, in the order they came, in one transaction; then settles each once it is on disk. */
  flush() {
    this.#scheduled = false;
    if (this.#syncing) return;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    this.#onGroup?.(batch.length);
    const outcomes: Outcome[] = [];
    try {
      if (this.#wal) this.#db.pragma('synchronous = NORMAL');
      this.#inTransaction(batch, outcomes);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      // Every other write on this connection (leases, migrations) keeps syncing in its COMMIT.
      if (this.#wal) this.#db.pragma('synchronous = FULL');
    }
    if (this.#wal) this.#syncOffLoop(this.#wal, batch, outcomes);
    else settle(batch, outcomes);
  }

  /** Waits until every write asked for so far is committed and on disk, as on close. */
  async drain() {
    while (this.#syncing || this.#pending.length > 0) {
      if (this.#syncing) await this.#syncing.catch(() => undefined);
      else this.flush();
    }
  }

  #schedule() {
    if (this.#scheduled || this.#syncing) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Syncs the commit log on the thread pool; the writes that arrive meanwhile wait and go together in the next group.
   * Linux syncs a file's data through any descriptor open on it, so one opened here covers SQLite's writes.
   */
  #syncOffLoop(wal: string, batch: readonly Pending[], outcomes: readonly Outcome[]) {
    this.#walFd ??= openSync(wal, 'r');
    const syncing = new Promise<void>((resolve, reject) =>
      fdatasync(this.#walFd!, (error) => {
        this.#syncing = undefined;
        if (error) {
          this.#failed = new Error(
            `the disk did not confirm the commit log was written (${error.message}); restart to serve what it holds`,
          );
          for (const pending of [...batch, ...this.#pending]) pending.reject(this.#failed);
          this.#pending = [];
          reject(this.#failed);
          return;
        }
        settle(batch, outcomes);
        resolve();
        if (this.#pending.length > 0) this.#schedule();
      }),
    );
    // A failure reaches every waiting reader and writer; no one need be waiting for it to count as handled.
    syncing.catch(() => undefined);
    this.#syncing = syncing;
  }

  /** Closes the descriptor this group opened on the commit log; `drain` first. */
  close() {
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }
}

function settle(batch: readonly Pending[], outcomes: readonly Outcome[]) {
  batch.forEach((pending, index) => {
    const outcome = outcomes[index]!;
    if (outcome.ok) pending.resolve(outcome.value);
    else pending.reject(outcome.error);
  });
}
