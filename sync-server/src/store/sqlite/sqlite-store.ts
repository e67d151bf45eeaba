import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { GroupCommit, openDurableFile, type GroupCommitOptions } from '@pourover/durable-sqlite';
import { PouroverError, type WireDocument } from '@pourover/protocol';
import Database from 'better-sqlite3';
import { decide, encoded, type Encoded } from '../decide.ts';
import { applyIncrement } from '../increment.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { RESTORE_SEQ_GAP } from '../store.ts';
import type { CommitMode, CommitOptions, CommitResult, Lease, Readiness, Store, StoredDocument, Write } from '../store.ts';

type Row = { replica: string; collection: string; body: string; seq: number; updated_at: string; commit_no: number };

const COLUMNS = 'replica, collection, body, seq, updated_at, commit_no';

/** How long a sync of the commit log may wait for the disk before the node says it is not ready. */
export const SYNC_STALL_MS = 5_000;

function toStored(row: Row): StoredDocument {
  return {
    replica: row.replica,
    collection: row.collection as string,
    document: JSON.parse(row.body) as WireDocument,
    seq: row.seq,
    updatedAt: row.updated_at,
    commit: row.commit_no,
  };
}

/** Thrown inside a transaction to roll it back when a batch precondition fails. */
class Rollback {
  constructor(readonly result: CommitResult) {}
}

/**
 * The embedded store: one SQLite file in WAL mode, synced on every commit.
 * Commits are grouped (`GroupCommit`): those that arrive together share one
 * transaction and one fsync, each in a savepoint of its own, and each is
 * answered only once the transaction is on disk. The fsync runs off the event
 * loop, so every read goes through `GroupCommit.read`, which waits for it:
 * nothing a power cut could undo is ever served.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly epoch: string;
  readonly epochStart: number;
  readonly #db: Database.Database;
  readonly #group: GroupCommit;
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #statements;
  readonly #now: () => Date;

  /** `onError` hears a disk's refused sync, after which the store serves nothing; `syncCommitLog` only for tests of such a disk. */
  constructor(options: {
    file: string;
    now?: () => Date;
    onGroup?: (commits: number) => void;
    onError?: (error: unknown) => void;
    syncCommitLog?: GroupCommitOptions['syncCommitLog'];
  }) {
    this.#db = openDurableFile(options.file);
    this.#db.pragma('busy_timeout = 5000');
    // A checkpoint runs inside a COMMIT on the event loop and copies each page written since the last one once:
    // every 4,000 pages (16 MiB) instead of 1,000 copies the hot pages (heads, indexes) a quarter as often.
    this.#db.pragma('wal_autocheckpoint = 4000');
    this.#group = new GroupCommit(this.#db, {
      onGroup: options.onGroup,
      syncOffLoop: true,
      onFailure: options.onError,
      // A device tries again after an UNAVAILABLE, as the node is restarted.
      refusal: (failure) => new PouroverError('UNAVAILABLE', failure.message, { cause: failure.cause }),
      now: () => this.#now().getTime(),
      ...(options.syncCommitLog ? { syncCommitLog: options.syncCommitLog } : {}),
    });
    this.#now = options.now ?? (() => new Date());
    migrate(this.#db);
    this.epoch = readEpoch(this.#db);
    this.epochStart = readEpochStart(this.#db);
    const db = this.#db;
    this.#statements = {
      pull: db.prepare<[string, string, number, number], Row>(
        `SELECT ${COLUMNS} FROM documents WHERE replica = ? AND collection = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      changes: db.prepare<[string, number, number], Row>(
        `SELECT ${COLUMNS} FROM documents WHERE replica = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      get: db.prepare<[string, string, string], Row>(`SELECT ${COLUMNS} FROM documents WHERE replica = ? AND collection = ? AND id = ?`),
      seq: db.prepare<[string, string, string], { seq: number }>(
        `SELECT seq FROM documents WHERE replica = ? AND collection = ? AND id = ?`,
      ),
      head: db.prepare<[string], { head: number }>(`SELECT head FROM replicas WHERE name = ?`),
      collectionHead: db.prepare<[string, string], { seq: number }>(
        `SELECT seq FROM documents WHERE replica = ? AND collection = ? ORDER BY seq DESC LIMIT 1`,
      ),
      setHead: db.prepare<[string, number]>(
        `INSERT INTO replicas (name, head) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET head = excluded.head`,
      ),
      put: db.prepare<[string, string, string, string, number, string, number]>(
        `INSERT INTO documents (replica, collection, id, body, seq, updated_at, commit_no) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (replica, collection, id) DO UPDATE
         SET body = excluded.body, seq = excluded.seq, updated_at = excluded.updated_at, commit_no = excluded.commit_no`,
      ),
      counter: db.prepare<[string], { value: number }>(`SELECT value FROM counters WHERE name = ?`),
      setCounter: db.prepare<[string, number]>(
        `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      ),
      live: db.prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM documents WHERE collection = ? AND json_extract(body, '$._deleted') = 0 ORDER BY commit_no, replica, seq`,
      ),
      byCommit: db.prepare<[string, number, number], Row>(
        `SELECT ${COLUMNS} FROM documents WHERE collection = ? AND commit_no > ? ORDER BY commit_no, replica, seq LIMIT ?`,
      ),
      lease: db.prepare<[string], { holder: string; expires_at: number }>(`SELECT holder, expires_at FROM leases WHERE name = ?`),
      setLease: db.prepare<[string, string, number]>(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
      ),
      dropLease: db.prepare<[string, string]>(`DELETE FROM leases WHERE name = ? AND holder = ?`),
    };
  }

  async pull(replica: string, collection: string, afterSeq: number, limit: number) {
    return this.#group.read(() => this.#statements.pull.all(replica, collection, afterSeq, limit).map(toStored));
  }

  async changesSince(replica: string, afterSeq: number, limit: number) {
    return this.#group.read(() => this.#statements.changes.all(replica, afterSeq, limit).map(toStored));
  }

  async head(replica: string) {
    return this.#group.read(() => this.#statements.head.get(replica)?.head ?? 0);
  }

  async collectionHead(replica: string, collection: string) {
    return this.#group.read(() => this.#statements.collectionHead.get(replica, collection)?.seq ?? 0);
  }

  async get(replica: string, collection: string, id: string) {
    return this.#group.read(() => {
      const row = this.#statements.get.get(replica, collection, id);
      return row ? toStored(row) : null;
    });
  }

  getMany(replica: string, collection: string, ids: readonly string[]) {
    return Promise.all(ids.map((id) => this.get(replica, collection, id)));
  }

  async seqs(replica: string, collection: string, ids: readonly string[]) {
    return this.#group.read(() => ids.map((id) => this.#statements.seq.get(replica, collection, id)?.seq ?? 0));
  }

  async commit(replica: string, writes: readonly Write[], mode: CommitMode, options: CommitOptions = {}): Promise<CommitResult> {
    const run = (): { result: CommitResult; written: Map<string, StoredDocument[]> } => {
      const now = this.#now();
      if (options.deadline !== undefined && now.toISOString() >= options.deadline) throw new Rollback({ ok: false, reason: 'deadline' });
      const commitNo = (this.#statements.counter.get('commit')?.value ?? 0) + 1;
      const heads = new Map<string, number>();
      const headOf = (name: string) => heads.get(name) ?? this.#statements.head.get(name)?.head ?? 0;
      const conflicts: StoredDocument[] = [];
      const written = new Map<string, StoredDocument[]>();
      writes.forEach((write, index) => {
        const target = write.replica ?? replica;
        const id = 'increment' in write ? write.increment.id : write.document.id;
        const row = this.#statements.get.get(target, write.collection, id);
        const current = row ? toStored(row) : null;
        let next: Encoded;
        if ('increment' in write) {
          const result = applyIncrement(current?.document ?? null, write, now);
          if (typeof result === 'string') {
            throw new Rollback({ ok: false, reason: 'precondition', failedIndex: index, current, detail: result });
          }
          next = encoded(result);
        } else {
          next = encoded(write.document);
          const decision = decide(current && row ? { document: current.document, json: row.body } : null, next, write.expect);
          if (decision === 'conflict') {
            if (mode === 'all') throw new Rollback({ ok: false, reason: 'precondition', failedIndex: index, current });
            if (current) conflicts.push(current);
            return;
          }
          if (decision === 'unchanged') return;
        }
        const seq = headOf(target) + 1;
        heads.set(target, seq);
        const updatedAt = now.toISOString();
        this.#statements.put.run(target, write.collection, id, next.json, seq, updatedAt, commitNo);
        const rows = written.get(target) ?? written.set(target, []).get(target)!;
        rows.push({ replica: target, collection: write.collection, document: next.document, seq, updatedAt, commit: commitNo });
      });
      for (const [name, head] of heads) this.#statements.setHead.run(name, head);
      if (heads.size > 0) this.#statements.setCounter.run('commit', commitNo);
      const result: CommitResult = { ok: true, seq: headOf(replica), changed: heads.size > 0, conflicts };
      return { result, written };
    };
    let outcome: { result: CommitResult; written: Map<string, StoredDocument[]> };
    try {
      outcome = await this.#group.run(run);
    } catch (error) {
      if (error instanceof Rollback) return error.result;
      throw error;
    }
    for (const [name, rows] of outcome.written) this.#events.emit('commit', name, rows);
    return outcome.result;
  }

  async watchSnapshot(collection: string) {
    const read = this.#db.transaction(() => ({
      documents: this.#statements.live.all(collection).map(toStored),
      commit: this.#statements.counter.get('commit')?.value ?? 0,
    }));
    return this.#group.read(read);
  }

  async watchChanges(collection: string, afterCommit: number, limit: number) {
    return this.#group.read(() => this.#statements.byCommit.all(collection, afterCommit, limit).map(toStored));
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease> {
    const take = this.#db.transaction((): Lease => {
      const now = this.#now().getTime();
      const current = this.#statements.lease.get(name);
      if (current && current.holder !== holder && current.expires_at > now) {
        return { granted: false, holder: current.holder, expiresAt: new Date(current.expires_at).toISOString() };
      }
      this.#statements.setLease.run(name, holder, now + ttlMs);
      return { granted: true, holder, expiresAt: new Date(now + ttlMs).toISOString() };
    });
    // Through `read`: a lease is neither read from nor written after a commit whose sync has not ended or failed.
    return this.#group.read(() => take.immediate());
  }

  async releaseLease(name: string, holder: string) {
    await this.#group.read(() => this.#statements.dropLease.run(name, holder));
  }

  async readLease(name: string) {
    return this.#group.read(() => {
      const current = this.#statements.lease.get(name);
      return current ? { holder: current.holder, expiresAt: new Date(current.expires_at).toISOString() } : null;
    });
  }

  onCommit(listener: (replica: string, written?: readonly StoredDocument[]) => void) {
    this.#events.on('commit', listener);
    return () => void this.#events.off('commit', listener);
  }

  /**
   * An embedded file is there to serve, unless the disk refused to sync its commit log (then only a restart helps) or
   * has not confirmed a sync for `SYNC_STALL_MS`.
   */
  readiness(): Readiness {
    const failure = this.#group.failure;
    if (failure) return { ready: false, reason: failure.message, fatal: true };
    const since = this.#group.syncingSince;
    const waited = since === undefined ? 0 : this.#now().getTime() - since;
    if (waited > SYNC_STALL_MS) return { ready: false, reason: `the disk has not confirmed a commit for ${Math.round(waited / 1000)} s` };
    return { ready: true };
  }

  async close() {
    // Commits already asked for are written, not dropped.
    await this.#group.close();
    this.#events.removeAllListeners();
    this.#db.close();
  }
}

function readEpoch(db: Database.Database): string {
  return (db.prepare(`SELECT value FROM store_meta WHERE name = 'epoch'`).get() as { value: string }).value;
}

function readEpochStart(db: Database.Database): number {
  return Number((db.prepare(`SELECT value FROM store_meta WHERE name = 'epoch_start'`).get() as { value: string } | undefined)?.value ?? 0);
}

/**
 * Gives a SQLite data file a new epoch (after a restore), and moves every replica's head and the commit number past
 * any position a device or watcher may hold from before; the server must not hold the file open. Returns the epoch.
 */
export function renewSqliteEpoch(file: string): string {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const db = openDurableFile(file);
  try {
    migrate(db);
    const epoch = randomBytes(8).toString('hex');
    db.transaction(() => {
      db.prepare(`UPDATE store_meta SET value = ? WHERE name = 'epoch'`).run(epoch);
      db.prepare(`UPDATE replicas SET head = head + ?`).run(RESTORE_SEQ_GAP);
      db.prepare(`INSERT INTO counters (name, value) VALUES ('commit', ?) ON CONFLICT (name) DO UPDATE SET value = value + ?`).run(
        RESTORE_SEQ_GAP,
        RESTORE_SEQ_GAP,
      );
      db.prepare(
        `INSERT INTO store_meta (name, value) SELECT 'epoch_start', CAST(value AS TEXT) FROM counters WHERE name = 'commit'
         ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      ).run();
    })();
    return epoch;
  } finally {
    db.close();
  }
}

function migrate(db: Database.Database) {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > sqliteMigrations.length) {
    throw new Error(`the data file has schema version ${applied}, newer than this server knows (${sqliteMigrations.length})`);
  }
  for (const [index, sql] of sqliteMigrations.entries()) {
    if (index < applied) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
