import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';

type Pending = { write: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type SyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;
/** The commit log's descriptor, how to sync it, and the pragmas set around each group. */
type OffLoop = { fd: number; sync: SyncFile; relaxed: Database.Statement; full: Database.Statement };

export type GroupCommitOptions = {
  /** Told how many writes each transaction carried (a server's metrics). */
  onGroup?: ((writes: number) => void) | undefined;
  /**
   * Sync each group's commit log on libuv's thread pool instead of in COMMIT on the event loop. Only for an owner
   * that reads through `read`: until the sync ends, the connection sees a commit that a power cut could still undo.
   */
  syncOffLoop?: boolean;
  /** Only for tests of a failing or stalled disk: stands in for `fs.fdatasync` of the commit log. */
  syncCommitLog?: SyncFile;
  /** Told once, when the disk refuses a sync and the group stops serving (a server's log). */
  onFailure?: ((failure: Error) => void) | undefined;
  /** What every read and write is refused with once the disk refused a sync (a server's typed error); the failure itself by default. */
  refusal?: (failure: Error) => Error;
  /** The clock `syncingSince` reads, in milliseconds; `Date.now` unless a test moves time. */
  now?: () => number;
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
  readonly #onFailure: ((failure: Error) => void) | undefined;
  readonly #refusal: (failure: Error) => Error;
  readonly #now: () => number;
  /** Set when the commit log is synced off the event loop. */
  readonly #offLoop: OffLoop | undefined;
  #pending: Pending[] = [];
  #scheduled = false;
  #closing = false;
  #closed = false;
  #syncStarted = 0;
  /** Settles once the last group's commit log is on disk; undefined when every commit the connection sees is. */
  #syncing: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(db: Database.Database, options: GroupCommitOptions = {}) {
    this.#db = db;
    this.#onGroup = options.onGroup;
    this.#onFailure = options.onFailure;
    this.#refusal = options.refusal ?? ((failure) => failure);
    this.#now = options.now ?? Date.now;
    if (options.syncOffLoop && !db.memory) {
      this.#offLoop = { fd: openCommitLog(db), sync: options.syncCommitLog ?? fdatasync, ...pragmas(db) };
    }
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
      if (this.#closing) return reject(new Error('the file is closing: it takes no more writes'));
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /**
   * Runs a read once every commit the connection can see is on disk: at once when none waits for its sync, else
   * after it. Refused once the disk refused a sync.
   */
  async read<T>(read: () => T): Promise<T> {
    for (;;) {
      if (this.#failed) throw this.#failed;
      if (!this.#syncing) return read();
      await this.#syncing;
    }
  }

  /** Since when (by `now`) the sync under way has waited for the disk; undefined when none is under way. */
  get syncingSince(): number | undefined {
    return this.#syncing ? this.#syncStarted : undefined;
  }

  /** Why this group refuses every read and write since its disk refused a sync; undefined while it serves. */
  get failure(): Error | undefined {
    return this.#failed;
  }

  /** Commits every write waiting, in the order they came, in one transaction (unless a sync is under way: they go after it); each settles once on disk. */
  flush() {
    this.#scheduled = false;
    if (this.#syncing || this.#failed) return;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    if (!this.#db.open) {
      for (const pending of batch) pending.reject(new Error('the file is closed: the write was not made'));
      return;
    }
    this.#onGroup?.(batch.length);
    const outcomes: Outcome[] = [];
    try {
      this.#offLoop?.relaxed.run();
      this.#inTransaction(batch, outcomes);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      this.#restoreFullSync();
    }
    if (this.#offLoop) this.#syncOffLoop(this.#offLoop, batch, outcomes);
    else settle(batch, outcomes);
  }

  /** Waits until every write asked for so far is committed and on disk. Commits go through the event loop, so no read already on its way can see one unsynced. */
  async drain() {
    while (this.#pending.length > 0 || this.#syncing) {
      if (this.#syncing) await this.#syncing;
      else if (this.#failed) return;
      else await new Promise<void>((resolve) => setImmediate(() => resolve(this.flush())));
    }
  }

  /** Takes no more writes, commits and syncs those asked for, and closes the descriptor on the commit log. */
  async close() {
    this.#closing = true;
    await this.drain();
    if (this.#offLoop && !this.#closed) closeSync(this.#offLoop.fd);
    this.#closed = true;
  }

  #schedule() {
    if (this.#scheduled || this.#syncing) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Every other write on the connection (leases, migrations) keeps syncing in its COMMIT; if that cannot be restored, nothing more is served. */
  #restoreFullSync() {
    if (!this.#offLoop) return;
    try {
      this.#offLoop.full.run();
    } catch (error) {
      this.#fail(
        this.#refusal(new Error(`the connection could not be set back to sync every commit (${String(error)})`, { cause: error })),
      );
    }
  }

  /** Syncs the commit log on the thread pool; the writes that arrive meanwhile wait and go together in the next group. */
  #syncOffLoop(offLoop: OffLoop, batch: readonly Pending[], outcomes: readonly Outcome[]) {
    let synced!: () => void;
    // Set before the sync starts: a sync that ends at once must find it to clear. It never rejects: a failure is `#failed`.
    this.#syncing = new Promise<void>((resolve) => (synced = resolve));
    this.#syncStarted = this.#now();
    offLoop.sync(offLoop.fd, (error) => {
      this.#syncing = undefined;
      if (error) {
        const failure = this.#refusal(
          new Error(`the disk did not confirm the commit log was written (${error.message}); restart the server`, { cause: error }),
        );
        for (const pending of batch) pending.reject(failure);
        this.#fail(failure);
      } else {
        settle(batch, outcomes);
        if (this.#pending.length > 0) this.#schedule();
      }
      synced();
    });
  }

  #fail(failure: Error) {
    const first = !this.#failed;
    this.#failed ??= failure;
    for (const pending of this.#pending) pending.reject(this.#failed);
    this.#pending = [];
    if (first) this.#onFailure?.(failure);
  }
}

/**
 * Opens the connection's commit log (WAL) for syncing, through the path SQLite uses (a data file may be a link), and
 * syncs it and its folder once: a process that crashed before its last sync may have left frames only in the page
 * cache, and they must be on disk before anything read from them is served. Linux syncs a file's data through any
 * descriptor open on it, and SQLite keeps the log's inode while a connection is open.
 */
function openCommitLog(db: Database.Database): number {
  const mode = db.pragma('journal_mode', { simple: true });
  if (mode !== 'wal') throw new Error(`syncing the commit log off the event loop needs WAL mode, not ${String(mode)}`);
  // A connection opens (and creates) its log on its first read.
  db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
  const wal = `${realpathSync(db.name)}-wal`;
  const fd = openSync(wal, 'r');
  fdatasyncSync(fd);
  const folder = openSync(dirname(wal), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
  return fd;
}

function pragmas(db: Database.Database) {
  return { relaxed: db.prepare('PRAGMA synchronous = NORMAL'), full: db.prepare('PRAGMA synchronous = FULL') };
}

function settle(batch: readonly Pending[], outcomes: readonly Outcome[]) {
  batch.forEach((pending, index) => {
    const outcome = outcomes[index]!;
    if (outcome.ok) pending.resolve(outcome.value);
    else pending.reject(outcome.error);
  });
}
