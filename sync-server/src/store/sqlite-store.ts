import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/schemas';
import Database from 'better-sqlite3';
import { canonicalJson } from './canonical.ts';
import { decide } from './decide.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import type { CommitMode, CommitResult, Store, StoredDocument, Write } from './store.ts';

type Row = { collection: string; body: string; seq: number; updated_at: string };

function toStored(row: Row): StoredDocument {
  return {
    collection: row.collection as CollectionName,
    document: JSON.parse(row.body) as WireDocument,
    seq: row.seq,
    updatedAt: row.updated_at,
  };
}

/** Thrown inside a transaction to roll it back when a batch precondition fails. */
class Rollback {
  constructor(readonly result: CommitResult) {}
}

/** The embedded store: one SQLite file in WAL mode, every commit one transaction. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #statements;
  readonly #now: () => Date;

  constructor(options: { file: string; now?: () => Date }) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.#db = new Database(options.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#now = options.now ?? (() => new Date());
    migrate(this.#db);
    this.#statements = {
      pull: this.#db.prepare<[string, string, number, number], Row>(
        `SELECT collection, body, seq, updated_at FROM documents
         WHERE replica = ? AND collection = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      changes: this.#db.prepare<[string, number, number], Row>(
        `SELECT collection, body, seq, updated_at FROM documents
         WHERE replica = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      get: this.#db.prepare<[string, string, string], Row>(
        `SELECT collection, body, seq, updated_at FROM documents WHERE replica = ? AND collection = ? AND id = ?`,
      ),
      head: this.#db.prepare<[string], { head: number }>(`SELECT head FROM replicas WHERE name = ?`),
      setHead: this.#db.prepare<[string, number]>(
        `INSERT INTO replicas (name, head) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET head = excluded.head`,
      ),
      put: this.#db.prepare<[string, string, string, string, number, string]>(
        `INSERT INTO documents (replica, collection, id, body, seq, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (replica, collection, id) DO UPDATE SET body = excluded.body, seq = excluded.seq, updated_at = excluded.updated_at`,
      ),
    };
  }

  async pull(replica: string, collection: CollectionName, afterSeq: number, limit: number) {
    return this.#statements.pull.all(replica, collection, afterSeq, limit).map(toStored);
  }

  async changesSince(replica: string, afterSeq: number, limit: number) {
    return this.#statements.changes.all(replica, afterSeq, limit).map(toStored);
  }

  async head(replica: string) {
    return this.#statements.head.get(replica)?.head ?? 0;
  }

  async get(replica: string, collection: CollectionName, id: string) {
    const row = this.#statements.get.get(replica, collection, id);
    return row ? toStored(row) : null;
  }

  async commit(replica: string, writes: readonly Write[], mode: CommitMode): Promise<CommitResult> {
    const run = this.#db.transaction((): CommitResult => {
      const start = this.#statements.head.get(replica)?.head ?? 0;
      let head = start;
      const updatedAt = this.#now().toISOString();
      const conflicts: StoredDocument[] = [];
      writes.forEach((write, index) => {
        const row = this.#statements.get.get(replica, write.collection, write.document.id);
        const current = row ? toStored(row) : null;
        const decision = decide(current?.document ?? null, write.document, write.expect);
        if (decision === 'conflict') {
          if (mode === 'all') throw new Rollback({ ok: false, failedIndex: index, current });
          if (current) conflicts.push(current);
          return;
        }
        if (decision === 'unchanged') return;
        head += 1;
        const body = canonicalJson(write.document);
        this.#statements.put.run(replica, write.collection, write.document.id, body, head, updatedAt);
      });
      if (head !== start) this.#statements.setHead.run(replica, head);
      return { ok: true, seq: head, conflicts, changed: head !== start };
    });
    let result: CommitResult;
    try {
      result = run.immediate();
    } catch (error) {
      if (error instanceof Rollback) return error.result;
      throw error;
    }
    if (result.ok && result.changed) this.#events.emit('commit', replica);
    return result;
  }

  onCommit(listener: (replica: string) => void) {
    this.#events.on('commit', listener);
    return () => void this.#events.off('commit', listener);
  }

  async close() {
    this.#events.removeAllListeners();
    this.#db.close();
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
