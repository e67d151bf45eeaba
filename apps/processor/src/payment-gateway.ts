import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { GroupCommit, openDurableFile } from '@pourover/durable-sqlite';

export type ChargeRequest = { idempotencyKey: string; amountCents: number; paymentToken: string };
export type ChargeResult = { status: 'charged'; chargeId: string } | { status: 'declined'; reason: string };

/**
 * Takes payments. Both calls are idempotent by key: a charge repeated with
 * the same key returns the first result and never charges twice; a refund of
 * a charge happens once however often it is asked for.
 */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: { idempotencyKey: string; chargeId: string }): Promise<{ status: 'refunded' }>;
}

/**
 * The gateway shipped for the demo and tests: a local ledger in a SQLite
 * file, group-committed like the journal, recording each charge with the
 * payment token it was made on. Tokens starting `tok_decline` are declined.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly #db: Database.Database;
  readonly #group: GroupCommit;
  readonly #statements;

  constructor(file: string) {
    this.#db = openDurableFile(
      file,
      `CREATE TABLE IF NOT EXISTS charges (
         idempotency_key TEXT PRIMARY KEY, charge_id TEXT, amount_cents INTEGER NOT NULL,
         status TEXT NOT NULL, reason TEXT, at TEXT NOT NULL, payment_token TEXT);
       CREATE TABLE IF NOT EXISTS refunds (
         charge_id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, amount_cents INTEGER NOT NULL, at TEXT NOT NULL);`,
    );
    // A ledger written before charges recorded the payment token they were made on.
    const columns = this.#db.prepare<[], { name: string }>('PRAGMA table_info(charges)').all();
    if (!columns.some((column) => column.name === 'payment_token')) this.#db.exec('ALTER TABLE charges ADD COLUMN payment_token TEXT');
    this.#group = new GroupCommit(this.#db);
    this.#statements = {
      charge: this.#db.prepare<[string], { charge_id: string | null; status: string; reason: string | null }>(
        'SELECT charge_id, status, reason FROM charges WHERE idempotency_key = ?',
      ),
      insertCharge: this.#db.prepare<[string, string | null, number, string, string | null, string, string]>(
        'INSERT INTO charges (idempotency_key, charge_id, amount_cents, status, reason, at, payment_token) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.#group.run((): ChargeResult => {
      const existing = this.#statements.charge.get(request.idempotencyKey);
      if (existing) {
        return existing.status === 'charged'
          ? { status: 'charged', chargeId: existing.charge_id ?? '' }
          : { status: 'declined', reason: existing.reason ?? 'declined' };
      }
      const declined = request.paymentToken.startsWith('tok_decline') || request.paymentToken === '';
      const result: ChargeResult = declined
        ? { status: 'declined', reason: request.paymentToken ? 'the card was declined' : 'no payment method on file' }
        : { status: 'charged', chargeId: `ch_${randomUUID()}` };
      this.#statements.insertCharge.run(
        request.idempotencyKey,
        result.status === 'charged' ? result.chargeId : null,
        request.amountCents,
        result.status,
        result.status === 'declined' ? result.reason : null,
        new Date().toISOString(),
        request.paymentToken,
      );
      return result;
    });
  }

  async refund(request: { idempotencyKey: string; chargeId: string }): Promise<{ status: 'refunded' }> {
    const insert = this.#db.prepare(
      `INSERT INTO refunds (charge_id, idempotency_key, amount_cents, at)
       SELECT charge_id, ?, amount_cents, ? FROM charges WHERE charge_id = ?
       ON CONFLICT (charge_id) DO NOTHING`,
    );
    await this.#group.run(() => insert.run(request.idempotencyKey, new Date().toISOString(), request.chargeId));
    return { status: 'refunded' };
  }

  /** Net amount charged per idempotency key (charges less refunds), for audits and tests. */
  netCharges(): Map<string, number> {
    const rows = this.#db
      .prepare<[], { key: string; net: number }>(
        `SELECT c.idempotency_key AS key, c.amount_cents - COALESCE(r.amount_cents, 0) AS net
         FROM charges c LEFT JOIN refunds r ON r.charge_id = c.charge_id WHERE c.status = 'charged'`,
      )
      .all();
    return new Map(rows.map((row) => [row.key, row.net]));
  }

  close() {
    this.#group.flush();
    this.#db.close();
  }
}
