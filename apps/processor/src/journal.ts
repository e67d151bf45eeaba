import type { Order } from '@pourover/schemas';
import type Database from 'better-sqlite3';
import { GroupCommit, openDurableFile } from '@pourover/durable-sqlite';

/**
 * Where an order stands in the processor:
 * - `snapshotted`: taken in, before any payment;
 * - `charged` / `declined`: the gateway answered;
 * - `refunded`: a charge given back before a rejection is committed (written
 *   by processors before refunds had their own column; read, never written);
 * - `done`: the move to processedOrders is committed (or found committed).
 */
export type Step = 'snapshotted' | 'charged' | 'declined' | 'refunded' | 'done';

/**
 * Where the order's charge stands in being given back, apart from its move:
 * - `refunding`: about to ask the gateway (the ask may have reached it);
 * - `refunded`: the gateway gave the charge back;
 * - `recorded`: the order's `refundedTime` is committed on the server.
 */
export type RefundStep = 'refunding' | 'refunded' | 'recorded';

/** How the order ended for the processor: moved as received or rejected, or found cancelled by the shopper first. */
export type Outcome = 'received' | 'rejected' | 'cancelled';

export type JournalEntry = {
  id: string;
  replica: string;
  snapshot: Order;
  step: Step;
  /** The payment gateway's idempotency key for the order's charge (its refund's is derived from it). */
  chargeKey: string;
  chargeId: string | null;
  outcome: Outcome | null;
  reason: string | null;
  /** Whether the charge was given back; null while it was not (or there is none). */
  refund: RefundStep | null;
};

type Row = {
  id: string;
  replica: string;
  snapshot: string;
  step: Step;
  charge_key: string;
  charge_id: string | null;
  outcome: JournalEntry['outcome'];
  reason: string | null;
  refund: RefundStep | null;
};

/**
 * An order's key for the journal and the gateway: its id within its
 * shopper's replica. Ids are the devices' to choose, so two shoppers may
 * hold the same one; neither may take the other's place.
 */
export const orderKey = (replica: string, id: string) => `${replica}/${id}`;

const ORDERS_TABLE = `CREATE TABLE IF NOT EXISTS orders (
  replica TEXT NOT NULL, id TEXT NOT NULL, snapshot TEXT NOT NULL, step TEXT NOT NULL, charge_key TEXT NOT NULL,
  charge_id TEXT, outcome TEXT, reason TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (replica, id))`;

/**
 * Brings a journal written before orders were keyed by replica to this
 * layout: every entry keeps the charge key it was charged with (its bare
 * id), so none is charged again under another.
 */
function keyByReplica(db: Database.Database) {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(orders)').all();
  if (columns.length === 0 || columns.some((column) => column.name === 'charge_key')) return db.exec(ORDERS_TABLE);
  db.transaction(() => {
    db.exec('ALTER TABLE orders RENAME TO orders_by_id');
    db.exec(ORDERS_TABLE);
    db.exec(`INSERT INTO orders (replica, id, snapshot, step, charge_key, charge_id, outcome, reason, updated_at)
             SELECT replica, id, snapshot, step, id, charge_id, outcome, reason, updated_at FROM orders_by_id`);
    db.exec('DROP TABLE orders_by_id');
  })();
}

/**
 * Brings a journal written before refunds had their own column to this
 * layout. Processors then refunded only a charged order they rejected, and
 * always before its move: such an entry (step `refunded`, or done as
 * rejected with a charge) is marked refunded, so it is never refunded again
 * and only its `refundedTime` is left to record.
 */
function addRefunds(db: Database.Database) {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(orders)').all();
  if (columns.some((column) => column.name === 'refund')) return;
  db.transaction(() => {
    db.exec('ALTER TABLE orders ADD COLUMN refund TEXT');
    db.exec(`UPDATE orders SET refund = 'refunded'
             WHERE charge_id IS NOT NULL AND (step = 'refunded' OR (step = 'done' AND outcome = 'rejected'))`);
  })();
}

/** Opens the journal's table, bringing an older file to the current layout step by step (a new file takes the same steps). */
function migrate(db: Database.Database) {
  keyByReplica(db);
  addRefunds(db);
}

/**
 * The processor's own write-ahead journal (a SQLite file, synced on every
 * commit): each order's snapshot is written before anything is done about
 * it, and each step after it happens, so a restart resumes where it stopped.
 *
 * Writes are group-committed (`GroupCommit`): the steps of all orders in
 * flight share one fsync, and each resolves only once it is on disk, so no
 * step is acted on before it is journaled.
 */
export class Journal {
  readonly #db: Database.Database;
  readonly #group: GroupCommit;
  readonly #statements;
  /** Each order's snapshot, parsed once: it never changes once written, and every step reads the entry back. */
  readonly #snapshots = new Map<string, Order>();

  constructor(file: string) {
    this.#db = openDurableFile(file);
    migrate(this.#db);
    this.#group = new GroupCommit(this.#db);
    this.#statements = {
      get: this.#db.prepare<[string, string], Row>('SELECT * FROM orders WHERE replica = ? AND id = ?'),
      insert: this.#db.prepare<[string, string, string, string, string]>(
        `INSERT INTO orders (replica, id, snapshot, charge_key, step, updated_at) VALUES (?, ?, ?, ?, 'snapshotted', ?) ON CONFLICT DO NOTHING`,
      ),
      update: this.#db.prepare<[Step, string | null, string | null, string | null, string, string, string]>(
        `UPDATE orders SET step = ?, charge_id = COALESCE(?, charge_id), outcome = COALESCE(?, outcome),
         reason = COALESCE(?, reason), updated_at = ? WHERE replica = ? AND id = ?`,
      ),
      refund: this.#db.prepare<[RefundStep, string, string, string]>(
        'UPDATE orders SET refund = ?, updated_at = ? WHERE replica = ? AND id = ?',
      ),
    };
  }

  get(replica: string, id: string): JournalEntry | undefined {
    const row = this.#statements.get.get(replica, id);
    if (!row) return undefined;
    return {
      id: row.id,
      replica: row.replica,
      snapshot: this.#snapshotOf(row),
      step: row.step,
      chargeKey: row.charge_key,
      chargeId: row.charge_id,
      outcome: row.outcome,
      reason: row.reason,
      refund: row.refund,
    };
  }

  /** Kept only while the order is not done, so that the orders kept are those in flight. */
  #snapshotOf(row: Row): Order {
    const key = orderKey(row.replica, row.id);
    const kept = this.#snapshots.get(key);
    if (kept) return kept;
    const snapshot = JSON.parse(row.snapshot) as Order;
    if (row.step !== 'done') this.#snapshots.set(key, snapshot);
    return snapshot;
  }

  /** Records the order as first seen; a later copy never replaces it. */
  snapshot(replica: string, order: Order): Promise<JournalEntry> {
    const key = orderKey(replica, order.id);
    return this.#commit(replica, order.id, () =>
      this.#statements.insert.run(replica, order.id, JSON.stringify(order), key, new Date().toISOString()),
    );
  }

  /** Moves the order to `step`; once `done`, its parsed snapshot is let go. */
  async advance(
    entry: Pick<JournalEntry, 'replica' | 'id'>,
    step: Step,
    fields: Partial<Pick<JournalEntry, 'chargeId' | 'outcome' | 'reason'>> = {},
  ): Promise<JournalEntry> {
    const { replica, id } = entry;
    const advanced = await this.#commit(replica, id, () =>
      this.#statements.update.run(
        step,
        fields.chargeId ?? null,
        fields.outcome ?? null,
        fields.reason ?? null,
        new Date().toISOString(),
        replica,
        id,
      ),
    );
    if (step === 'done') this.#snapshots.delete(orderKey(replica, id));
    return advanced;
  }

  /** Moves the order's refund to `step`. */
  refunding(entry: Pick<JournalEntry, 'replica' | 'id'>, step: RefundStep): Promise<JournalEntry> {
    const { replica, id } = entry;
    return this.#commit(replica, id, () => this.#statements.refund.run(step, new Date().toISOString(), replica, id));
  }

  /** Commits `write` with the others waiting, and reads the order's entry as it then stands. */
  #commit(replica: string, id: string, write: () => void): Promise<JournalEntry> {
    return this.#group.run(() => {
      write();
      return this.get(replica, id) as JournalEntry;
    });
  }

  /** How many orders stand at each step of their refund (orders with none left out). */
  refundCounts(): Record<RefundStep, number> {
    const counts: Record<RefundStep, number> = { refunding: 0, refunded: 0, recorded: 0 };
    const rows = this.#db
      .prepare<[], { refund: RefundStep; n: number }>('SELECT refund, COUNT(*) AS n FROM orders WHERE refund IS NOT NULL GROUP BY refund')
      .all();
    for (const row of rows) counts[row.refund] = row.n;
    return counts;
  }

  counts(): Record<Step, number> {
    const counts: Record<Step, number> = { snapshotted: 0, charged: 0, declined: 0, refunded: 0, done: 0 };
    for (const row of this.#db.prepare<[], { step: Step; n: number }>('SELECT step, COUNT(*) AS n FROM orders GROUP BY step').all()) {
      counts[row.step] = row.n;
    }
    return counts;
  }

  /** Commits what is still waiting, then closes the file. */
  close() {
    this.#group.flush();
    this.#db.close();
  }
}
