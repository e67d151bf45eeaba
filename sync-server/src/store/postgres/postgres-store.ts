import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { WireDocument } from '@pourover/protocol';
import { STORE } from '@pourover/schemas';
import type { ClientBase, PoolClient } from 'pg';
import { z } from 'zod';
import { commitGroup, CommitUnknown, type CommitOutcome } from './postgres-commit.ts';
import { CommitQueue } from './postgres-commit-queue.ts';
import { PostgresListener } from './postgres-listener.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { PostgresPool } from './postgres-pool.ts';
import {
  RESTORE_SEQ_GAP,
  type CommitMode,
  type CommitOptions,
  type CommitResult,
  type Lease,
  type Readiness,
  type Store,
  type StoredDocument,
  type Write,
} from '../store.ts';

/** The channel every server process on one database listens on; the payload names the replica a commit changed. */
export const COMMIT_CHANNEL = 'pourover_commit';

const notification = z.object({ from: z.string(), commit: z.number().int(), replica: z.string() });
/** What `renewEpoch` announces on the same channel, so running nodes take the new epoch at once. */
const epochNotice = z.object({ epoch: z.string().min(1), start: z.number().int().min(0) });

type Row = { replica: string; collection: string; body: string; seq: string; updated_at: Date; commit_no: string };

const COLUMNS = 'replica, collection, body, seq, updated_at, commit_no';

function toStored(row: Row): StoredDocument {
  return {
    replica: row.replica,
    collection: row.collection as string,
    document: JSON.parse(row.body) as WireDocument,
    // bigint columns arrive as strings; change positions stay far below 2^53.
    seq: Number(row.seq),
    updatedAt: row.updated_at.toISOString(),
    commit: Number(row.commit_no),
  };
}

export type PostgresStoreOptions = {
  /** A `postgres://` connection URL; several hosts (`host1:5432,host2:5432`) for a primary and its standbys, the writable one used. */
  url: string;
  /** Connections in the pool (default 10); each commit holds one for its transaction. */
  poolSize?: number;
  /** A clock for tests; by default the database's clock judges deadlines, increments and leases, one clock for every node. */
  now?: () => Date;
  /** Called with errors nobody awaits, such as a pooled or listening connection that broke (default: a line on stderr). */
  onError?: (error: unknown) => void;
  /** Told how many commits each group wrote in its one transaction (a server's metrics). */
  onGroup?: (commits: number) => void;
};

/**
 * The store for several server nodes: PostgreSQL, nodes woken by each
 * other's commits through LISTEN/NOTIFY. Commits are grouped per node
 * (`CommitQueue`): those asked for while a group is being written go
 * together in the next, one transaction and one WAL flush for them all,
 * each decided on its own.
 *
 * Ordering: a reader must never see seq n+1 before seq n commits. Each
 * group locks the rows of the replicas it writes (in name order, so two
 * groups never deadlock) before reading, and keeps them to its end, so a
 * replica's writers take their seqs one after another. The store-wide commit
 * numbers come from one counter row, locked the same way by every group
 * that changes something. That serializes all changing groups, across
 * nodes, from the counter update to COMMIT (one statement and the WAL
 * flush): the cost of a gap-free `watchChanges` with this simple scheme,
 * paid once per group rather than once per commit.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly #pool: PostgresPool;
  readonly #listener: PostgresListener;
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #instance = randomUUID();
  readonly #now: (() => Date) | undefined;
  readonly #commits: CommitQueue;
  /** The highest commit this store has seen announced on the channel, from which a reconnected listener catches up. */
  #announced = 0;
  #listenedBefore = false;
  #epoch: StoreEpoch = { epoch: '', start: 0 };

  private constructor(options: PostgresStoreOptions) {
    const onError = options.onError ?? ((error: unknown) => process.stderr.write(`pourover postgres store: ${String(error)}\n`));
    this.#now = options.now;
    this.#pool = new PostgresPool({ url: options.url, max: options.poolSize ?? 10, applicationName: 'pourover', onError });
    this.#commits = new CommitQueue(
      (requests) =>
        this.#pool.withClient((client) =>
          commitGroup(client, requests, { now: this.#now, instance: this.#instance, channel: COMMIT_CHANNEL }),
        ),
      options.onGroup,
    );
    this.#listener = new PostgresListener({
      cursor: this.#pool.cursor,
      channel: COMMIT_CHANNEL,
      applicationName: 'pourover-listen',
      onNotification: (payload) => this.#notified(payload),
      onListening: () => this.#catchUp(),
      onError,
    });
  }

  /** Opens the store: applies pending migrations, then starts listening for other nodes' commits. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      await store.#pool.unbounded((client) => migratePostgres(client));
      store.#epoch = await store.#pool.unbounded((client) => readEpoch(client));
      await store.#listener.start();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /**
   * Gives the database a new epoch (after `pg_restore` or a point-in-time recovery), migrating it first, and moves
   * every replica's head and the commit number past any position a device or watcher may hold from before; returns it.
   */
  static async renewEpoch(url: string): Promise<string> {
    const pool = new PostgresPool({ url, max: 1, applicationName: 'pourover-epoch', onError: () => {} });
    try {
      return await pool.unbounded(async (client) => {
        await migratePostgres(client);
        const epoch = randomBytes(8).toString('hex');
        await client.query('BEGIN');
        try {
          await client.query(`UPDATE store_meta SET value = $1 WHERE name = 'epoch'`, [epoch]);
          await client.query('UPDATE replicas SET head = head + $1', [RESTORE_SEQ_GAP]);
          const { rows } = await client.query<{ value: string }>(
            `UPDATE counters SET value = value + $1 WHERE name = 'commit' RETURNING value`,
            [RESTORE_SEQ_GAP],
          );
          const start = Number(rows[0]?.value ?? 0);
          await client.query(
            `INSERT INTO store_meta (name, value) VALUES ('epoch_start', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
            [String(start)],
          );
          // Delivered at COMMIT to every node listening; one that is not hears of it when it listens again (#catchUp).
          await client.query('SELECT pg_notify($1, $2)', [COMMIT_CHANNEL, JSON.stringify({ epoch, start })]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        return epoch;
      });
    } finally {
      await pool.end();
    }
  }

  get epoch(): string {
    return this.#epoch.epoch;
  }

  get epochStart(): number {
    return this.#epoch.start;
  }

  /** Applies pending migrations and closes; for `pourover-server migrate`. */
  static async migrate(url: string): Promise<{ from: number; to: number }> {
    const pool = new PostgresPool({ url, max: 1, applicationName: 'pourover-migrate', onError: () => {} });
    try {
      return await pool.unbounded((client) => migratePostgres(client));
    } finally {
      await pool.end();
    }
  }

  async pull(replica: string, collection: string, afterSeq: number, limit: number) {
    return this.#rows(`SELECT ${COLUMNS} FROM documents WHERE replica = $1 AND collection = $2 AND seq > $3 ORDER BY seq LIMIT $4`, [
      replica,
      collection,
      afterSeq,
      limit,
    ]);
  }

  async changesSince(replica: string, afterSeq: number, limit: number) {
    return this.#rows(`SELECT ${COLUMNS} FROM documents WHERE replica = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [replica, afterSeq, limit]);
  }

  async head(replica: string) {
    const { rows } = await this.#pool.query<{ head: string }>('SELECT head FROM replicas WHERE name = $1', [replica]);
    return Number(rows[0]?.head ?? 0);
  }

  async collectionHead(replica: string, collection: string) {
    const { rows } = await this.#pool.query<{ seq: string }>(
      'SELECT seq FROM documents WHERE replica = $1 AND collection = $2 ORDER BY seq DESC LIMIT 1',
      [replica, collection],
    );
    return Number(rows[0]?.seq ?? 0);
  }

  async get(replica: string, collection: string, id: string) {
    const rows = await this.#rows(`SELECT ${COLUMNS} FROM documents WHERE replica = $1 AND collection = $2 AND id = $3`, [
      replica,
      collection,
      id,
    ]);
    return rows[0] ?? null;
  }

  async getMany(replica: string, collection: string, ids: readonly string[]) {
    const rows = await this.#rows(`SELECT ${COLUMNS} FROM documents WHERE replica = $1 AND collection = $2 AND id = ANY($3::text[])`, [
      replica,
      collection,
      ids,
    ]);
    const found = new Map(rows.map((row) => [row.document.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  }

  async seqs(replica: string, collection: string, ids: readonly string[]) {
    const { rows } = await this.#pool.query<{ id: string; seq: string }>(
      'SELECT id, seq FROM documents WHERE replica = $1 AND collection = $2 AND id = ANY($3::text[])',
      [replica, collection, ids],
    );
    const found = new Map(rows.map((row) => [row.id, Number(row.seq)]));
    return ids.map((id) => found.get(id) ?? 0);
  }

  async commit(replica: string, writes: readonly Write[], mode: CommitMode, options: CommitOptions = {}): Promise<CommitResult> {
    let outcome: CommitOutcome;
    try {
      outcome = await this.#commits.commit({ replica, writes, mode, options });
    } catch (error) {
      // The answer to COMMIT was lost: it may have landed, and this node skips its own notification of it. Its readers
      // are woken for every replica it wrote: a spare wake-up costs a read, a missed one would leave a device stale.
      if (error instanceof CommitUnknown)
        for (const name of new Set([replica, ...writes.map((write) => write.replica ?? replica)])) this.#events.emit('commit', name);
      throw error;
    }
    // Other nodes hear of it through NOTIFY; this one's listeners are told at once, and its own notifications are skipped.
    for (const name of outcome.changed) this.#events.emit('commit', name);
    return outcome.result;
  }

  async watchSnapshot(collection: string) {
    // One snapshot for both reads: the documents are exactly those of the commits up to the number read.
    return this.#pool.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
      const { rows } = await client.query<Row>(
        `SELECT ${COLUMNS} FROM documents WHERE collection = $1 AND NOT deleted ORDER BY commit_no, replica, seq`,
        [collection],
      );
      const counter = await client.query<{ value: string }>(`SELECT value FROM counters WHERE name = 'commit'`);
      return { documents: rows.map(toStored), commit: Number(counter.rows[0]?.value ?? 0) };
    });
  }

  async watchChanges(collection: string, afterCommit: number, limit: number) {
    return this.#rows(
      `SELECT ${COLUMNS} FROM documents WHERE collection = $1 AND commit_no > $2 ORDER BY commit_no, replica, seq LIMIT $3`,
      [collection, afterCommit, limit],
    );
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease> {
    return this.#pool.transaction('BEGIN', async (client) => {
      const now = await this.#clock(client);
      const expiresAt = new Date(now.getTime() + ttlMs);
      // A refused upsert still locks the row, so the holder read next is the one that refused it.
      const taken = await client.query<{ holder: string }>(
        `INSERT INTO leases AS l (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE l.holder = excluded.holder OR l.expires_at <= $4
         RETURNING holder`,
        [name, holder, expiresAt.toISOString(), now.toISOString()],
      );
      if (taken.rows.length > 0) return { granted: true, holder, expiresAt: expiresAt.toISOString() };
      const { rows } = await client.query<{ holder: string; expires_at: Date }>('SELECT holder, expires_at FROM leases WHERE name = $1', [
        name,
      ]);
      const current = rows[0];
      if (!current) throw new Error(`lease ${name} was refused but has no holder`);
      return { granted: false, holder: current.holder, expiresAt: current.expires_at.toISOString() };
    });
  }

  async releaseLease(name: string, holder: string) {
    await this.#pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async readLease(name: string) {
    const { rows } = await this.#pool.query<{ holder: string; expires_at: Date }>('SELECT holder, expires_at FROM leases WHERE name = $1', [
      name,
    ]);
    const current = rows[0];
    return current ? { holder: current.holder, expiresAt: current.expires_at.toISOString() } : null;
  }

  /** Ready while the node hears other nodes' commits: its listening connection is up and caught up. */
  readiness(): Readiness {
    return this.#listener.listening
      ? { ready: true }
      : { ready: false, reason: 'not listening for other nodes’ commits: the database connection is being made again' };
  }

  onCommit(listener: (replica: string) => void) {
    this.#events.on('commit', listener);
    return () => void this.#events.off('commit', listener);
  }

  async close() {
    // Commits already asked for are written, not dropped.
    await this.#commits.idle();
    this.#events.removeAllListeners();
    await this.#listener.close();
    await this.#pool.end();
  }

  async #rows(sql: string, params: unknown[]): Promise<StoredDocument[]> {
    const { rows } = await this.#pool.query<Row>(sql, params);
    return rows.map(toStored);
  }

  async #clock(client: PoolClient): Promise<Date> {
    if (this.#now) return this.#now();
    const { rows } = await client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    return rows[0]?.now ?? new Date();
  }

  #notified(payload: string) {
    let parsed;
    try {
      parsed = notification.safeParse(JSON.parse(payload));
    } catch {
      return;
    }
    if (!parsed.success) return this.#epochNoticed(payload);
    this.#announced = Math.max(this.#announced, parsed.data.commit);
    if (parsed.data.from !== this.#instance) this.#events.emit('commit', parsed.data.replica);
  }

  #epochNoticed(payload: string) {
    const notice = epochNotice.safeParse(JSON.parse(payload));
    if (notice.success) this.#renewed(notice.data);
  }

  /**
   * Takes a new epoch, read or announced, and wakes the readers of the store's replica, which every device stream and
   * watch follows: they then see that their positions belong to another history.
   */
  #renewed(epoch: StoreEpoch) {
    if (epoch.epoch === this.#epoch.epoch) return;
    this.#epoch = epoch;
    this.#events.emit('commit', STORE);
  }

  /**
   * After listening (again): at open, notes the latest commit; after a
   * reconnection, wakes listeners for every replica changed by commits it
   * did not hear announced, and takes the epoch, which may have been renewed
   * unheard. That may repeat a wake-up, which is harmless: listeners re-read
   * the store; a missed one would leave a device stale.
   */
  async #catchUp() {
    if (this.#listenedBefore) this.#renewed(await this.#pool.unbounded((client) => readEpoch(client)));
    if (!this.#listenedBefore) {
      const { rows } = await this.#pool.query<{ value: string }>(`SELECT value FROM counters WHERE name = 'commit'`);
      this.#announced = Math.max(this.#announced, Number(rows[0]?.value ?? 0));
      this.#listenedBefore = true;
      return;
    }
    const { rows } = await this.#pool.query<{ replica: string | null; last: string }>(
      `SELECT d.replica, c.value AS last FROM counters c LEFT JOIN LATERAL
         (SELECT DISTINCT replica FROM documents WHERE commit_no > $1) d ON true
       WHERE c.name = 'commit'`,
      [this.#announced],
    );
    for (const row of rows) {
      this.#announced = Math.max(this.#announced, Number(row.last));
      if (row.replica !== null) this.#events.emit('commit', row.replica);
    }
  }
}

/** The store's epoch, and the commit number it began at. */
type StoreEpoch = { epoch: string; start: number };

async function readEpoch(client: ClientBase): Promise<StoreEpoch> {
  const { rows } = await client.query<{ name: string; value: string }>(
    `SELECT name, value FROM store_meta WHERE name IN ('epoch', 'epoch_start')`,
  );
  const value = (name: string) => rows.find((row) => row.name === name)?.value;
  return { epoch: value('epoch')!, start: Number(value('epoch_start') ?? 0) };
}
