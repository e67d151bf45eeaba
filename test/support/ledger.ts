import { join } from 'node:path';
import Database from 'better-sqlite3';

export type LedgerCharge = {
  key: string;
  status: string;
  amountCents: number;
  paymentToken: string | null;
  refundedCents: number;
  /** The idempotency key its refund was made under, if it was refunded. */
  refundKey: string | null;
};

/**
 * Every charge the simulated gateway recorded in a data folder's ledger, with
 * the token it was made on and what was refunded of it (a charge is refunded
 * at most once: the ledger keeps one refund per charge).
 */
export function ledgerCharges(dataDir: string): LedgerCharge[] {
  const ledger = new Database(join(dataDir, 'payments.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return ledger
      .prepare<[], LedgerCharge>(
        `SELECT c.idempotency_key AS key, c.status, c.amount_cents AS amountCents, c.payment_token AS paymentToken,
                COALESCE(r.amount_cents, 0) AS refundedCents, r.idempotency_key AS refundKey
         FROM charges c LEFT JOIN refunds r ON r.charge_id = c.charge_id`,
      )
      .all();
  } finally {
    ledger.close();
  }
}
