import type { Order } from '@pourover/schemas';
import type Database from 'better-sqlite3';
import { GroupCommit, openDurableFile } from '@pourover/durable-sqlite';

/**
 * Where an order stands in the processor:
 * - `snapshotted`: taken in, before any payment;
 * - `charged` / `declined`: the gateway answered;
 * - `refunded`: a charge given back before a rejection is committed;
 * - `done`: the move to processedOrders is committed (or found committed).
 */
export type Step = 'snapshotted' | 'charged' | 'declined' | 'refunded' | 'done';

export type JournalEntry = {
  id: string;
  replica: string;
  snapshot: Order;
  step: Step;
  chargeId: string | null;
  outcome: 'received' | 'rejected' | null;
  reason: string | null;
};

type Row = { id: string; replica: string; snapshot: string; step: Step; charge_id: string | null; outcome: JournalEntry['outcome']; reason: string | null };

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
    this.#db = openDurableFile(
      file,
      `CREATE TABLE IF NOT EXISTS orders (
         id TEXT PRIMARY KEY, replica TEXT NOT NULL, snapshot TEXT NOT NULL, step TEXT NOT NULL,
         charge_id TEXT, outcome TEXT, reason TEXT, updated_at TEXT NOT NULL)`,
    );
    this.#group = new GroupCommit(this.#db);
    this.#statements = {
      get: this.#db.prepare<[string], Row>('SELECT * FROM orders WHERE id = ?'),
      insert: this.#db.prepare<[string, string, string, string]>(
        `INSERT INTO orders (id, replica, snapshot, step, updated_at) VALUES (?, ?, ?, 'snapshotted', ?) ON CONFLICT (id) DO NOTHING`,
      ),
      update: this.#db.prepare<[Step, string | null, string | null, string | null, string, string]>(
        `UPDATE orders SET step = ?, charge_id = COALESCE(?, charge_id), outcome = COALESCE(?, outcome),
         reason = COALESCE(?, reason), updated_at = ? WHERE id = ?`,
      ),
    };
  }

  get(id: string): JournalEntry | undefined {
    const row = this.#statements.get.get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      replica: row.replica,
      snapshot: this.#snapshotOf(row),
      step: row.step,
      chargeId: row.charge_id,
      outcome: row.outcome,
      reason: row.reason,
    };
  }

  /** Kept only while the order is not done, so that the orders kept are those in flight. */
  #snapshotOf(row: Row): Order {
    const kept = this.#snapshots.get(row.id);
    if (kept) return kept;
    const snapshot = JSON.parse(row.snapshot) as Order;
    if (row.step !== 'done') this.#snapshots.set(row.id, snapshot);
    return snapshot;
  }

  /** Records the order as first seen; a later copy never replaces it. */
  snapshot(replica: string, order: Order): Promise<JournalEntry> {
    return this.#commit(order.id, () => this.#statements.insert.run(order.id, replica, JSON.stringify(order), new Date().toISOString()));
  }

  /** Moves the order to `step`; once `done`, its parsed snapshot is let go. */
  async advance(id: string, step: Step, fields: Partial<Pick<JournalEntry, 'chargeId' | 'outcome' | 'reason'>> = {}): Promise<JournalEntry> {
    const entry = await this.#commit(id, () =>
      this.#statements.update.run(step, fields.chargeId ?? null, fields.outcome ?? null, fields.reason ?? null, new Date().toISOString(), id),
    );
    if (step === 'done') this.#snapshots.delete(id);
    return entry;
  }

  /** Commits `write` with the others waiting, and reads the order's entry as it then stands. */
  #commit(id: string, write: () => void): Promise<JournalEntry> {
    return this.#group.run(() => {
      write();
      return this.get(id) as JournalEntry;
    });
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
