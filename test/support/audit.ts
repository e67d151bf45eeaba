import { join } from 'node:path';
import type { DeliverySlot, Order } from '@pourover/schemas';
import Database from 'better-sqlite3';
import { Client } from 'pg';

/** A stored document of the collections an order moves through, as both stores keep it. */
type Row = { replica: string; collection: string; id: string; body: string };
type Placed = ReadonlyMap<string, { replica: string; totalCents: number }>;

const ORDER_ROWS = `SELECT replica, collection, id, body FROM documents WHERE collection IN ('placedOrders', 'processedOrders', 'availability')`;

/** Audits a run on the embedded store: the server's SQLite file and the gateway's ledger, both in `dataDir`. */
export function auditOrders(dataDir: string, placed: Placed): string[] {
  const db = new Database(join(dataDir, 'pourover.sqlite'), { readonly: true });
  const rows = db.prepare<[], Row>(ORDER_ROWS).all();
  db.close();
  return auditRows(rows, join(dataDir, 'payments.sqlite'), placed);
}

/** Audits a run on PostgreSQL: the documents in the database at `url` (read in one statement), and the gateway's ledger file. */
export async function auditPostgresOrders(url: string, ledgerFile: string, placed: Placed): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return auditRows((await client.query<Row>(ORDER_ROWS)).rows, ledgerFile, placed);
  } finally {
    await client.end();
  }
}

/**
 * Lists every broken invariant after a run: an order left placed or in two
 * collections, a charge count other than one net charge per accepted order
 * and none per rejected one, a slot over capacity or counting other than
 * its orders.
 */
function auditRows(rows: readonly Row[], ledgerFile: string, placed: Placed): string[] {
  const problems: string[] = [];
  const live = rows.map((row) => ({ ...row, doc: JSON.parse(row.body) as Record<string, unknown> })).filter((row) => !row.doc['_deleted']);
  const processed = new Map(
    live
      .filter((row) => row.collection === 'processedOrders')
      .map((row) => [row.id, { replica: row.replica, order: row.doc as unknown as Order }]),
  );
  for (const row of live.filter((r) => r.collection === 'placedOrders')) problems.push(`order ${row.id} is still placed`);
  for (const [id] of placed) if (!processed.has(id)) problems.push(`order ${id} was never processed`);

  const ledger = new Database(ledgerFile, { readonly: true });
  const charges = ledger
    .prepare<[], { key: string; net: number; n: number }>(
      `SELECT c.idempotency_key AS key, COUNT(*) AS n, SUM(c.amount_cents - COALESCE(r.amount_cents, 0)) AS net
       FROM charges c LEFT JOIN refunds r ON r.charge_id = c.charge_id WHERE c.status = 'charged' GROUP BY c.idempotency_key`,
    )
    .all();
  ledger.close();
  const net = new Map(charges.map((charge) => [charge.key, charge]));
  for (const [id, { replica, order }] of processed) {
    // The processor's charges are keyed by the order's replica and id.
    const charge = net.get(`${replica}/${id}`);
    if (order.status === 'received' && charge?.net !== placed.get(id)?.totalCents) {
      problems.push(`received order ${id} has net charge ${String(charge?.net)} instead of ${String(placed.get(id)?.totalCents)}`);
    }
    if (order.status === 'rejected' && charge && charge.net !== 0) problems.push(`rejected order ${id} kept a charge of ${charge.net}`);
    if ((charge?.n ?? 0) > 1) problems.push(`order ${id} was charged ${String(charge?.n)} times`);
  }

  const slots = live.filter((row) => row.collection === 'availability').map((row) => row.doc as unknown as DeliverySlot);
  for (const slot of slots) {
    const received = [...processed.values()].filter(({ order }) => order.status === 'received' && order.slotId === slot.id).length;
    if (slot.taken > slot.capacity) problems.push(`slot ${slot.id} has ${slot.taken} taken of ${slot.capacity}`);
    if (slot.taken !== received) problems.push(`slot ${slot.id} counts ${slot.taken} taken but holds ${received} received orders`);
  }
  return problems;
}
