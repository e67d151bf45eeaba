import { join } from 'node:path';
import { derivedFields, type CatalogItem, type DeliverySlot, type Order } from '@pourover/schemas';
import Database from 'better-sqlite3';
import { ledgerCharges } from './ledger.ts';

type Doc = Order & { _deleted: boolean };
type Row = { replica: string; collection: string; id: string; body: string };

/** What devices wrote into fields the server owns, to be found nowhere the server keeps. */
export type Forgeries = { timePrefix: string; reason: string; splitFrom: ReadonlySet<string> };

/** Whether an order's lines are those of its Yjs document, each priced as the catalog prices it, adding up to its total. */
function pricingProblem(order: Doc, catalog: ReadonlyMap<string, CatalogItem>): string | undefined {
  const derived = derivedFields(order.ydoc, () => 0).lines;
  if (JSON.stringify(derived) !== JSON.stringify(order.lines.map(({ itemId, count }) => ({ itemId, count }))))
    return 'lines are not its items';
  if (order.lines.length === 0) return 'no items';
  for (const line of order.lines) {
    const item = catalog.get(line.itemId);
    if (!item?.available) return `item ${line.itemId} is not sold`;
    if (line.unitCents !== item.priceCents) return `item ${line.itemId} at ${String(line.unitCents)} instead of ${item.priceCents}`;
  }
  const total = order.lines.reduce((sum, line) => sum + line.count * (line.unitCents ?? 0), 0);
  return total === order.totalCents ? undefined : `total ${order.totalCents} instead of ${total}`;
}

function forgeryProblem(order: Doc, forged: Forgeries): string | undefined {
  for (const field of ['createdTime', 'placedTime', 'receivedTime'] as const) {
    if (order[field]?.startsWith(forged.timePrefix)) return `${field} is a device's ${String(order[field])}`;
  }
  if (order.rejectReason?.includes(forged.reason) || order.refusal?.reason.includes(forged.reason)) return 'a reason a device wrote';
  if (order.splitFrom && forged.splitFrom.has(order.splitFrom)) return 'splitFrom a device wrote';
  return undefined;
}

/** Statuses of a processed order that hold a slot place and a charge: live (awaiting approval too), or delivered (a delivered order keeps the place it used). */
const HOLDING = new Set<string>(['awaitingApproval', 'received', 'preparing', 'ready', 'outForDelivery', 'delivered']);
const ENDED = new Set<string>(['cancelled', 'rejected']);
/** The statuses an order may have in each collection. */
const STATUSES: Record<string, ReadonlySet<string>> = {
  draftOrders: new Set(['draft']),
  placedOrders: new Set(['placed']),
  processedOrders: new Set([...HOLDING, ...ENDED]),
};

function readDocs(dataDir: string) {
  const db = new Database(join(dataDir, 'pourover.sqlite'), { readonly: true });
  const rows = db
    .prepare<[], Row>(
      `SELECT replica, collection, id, body FROM documents WHERE collection IN ('draftOrders', 'placedOrders', 'processedOrders', 'availability')`,
    )
    .all();
  db.close();
  return rows.map((row) => ({ ...row, doc: JSON.parse(row.body) as Doc }));
}

/**
 * Whether every cancelled or rejected order's charge has been given back and
 * recorded on it: what an audit waits for once the processor has taken
 * every placed order.
 */
export function refundsSettled(dataDir: string): boolean {
  const charges = new Map(ledgerCharges(dataDir).map((charge) => [charge.key, charge]));
  return readDocs(dataDir).every(({ replica, id, collection, doc }) => {
    if (collection !== 'processedOrders' || doc._deleted || !ENDED.has(doc.status)) return true;
    const charge = charges.get(`${replica}/${id}`);
    return charge?.status !== 'charged' || (charge.refundKey !== null && doc.refundedTime !== undefined);
  });
}

/**
 * Reads a server's SQLite file and its processor's ledger and lists every
 * broken order invariant: an order live in two places, or with a status its
 * collection does not hold; a placed or processed order not priced from the
 * catalog (`catalog`, unchanged while the orders were placed); a
 * server-owned field holding a device's value (`forged`, when devices forged
 * any); money not following the order (a live or delivered order charged
 * once, its total, on the payment method it records; a cancelled or rejected
 * one charged nothing net; a refund only of a charge, once, under the key
 * `refund:<charge key>`, and recorded on its order as `refundedTime`, which
 * no order holds without one); a slot over its capacity, or counting other
 * than its live and delivered orders. Run once refunds have settled
 * (`refundsSettled`).
 */
export function auditStore(dataDir: string, options: { catalog: ReadonlyMap<string, CatalogItem>; forged?: Forgeries }): string[] {
  const problems: string[] = [];
  const docs = readDocs(dataDir);
  const where = new Map<string, string[]>();
  for (const { replica, collection, id, doc } of docs) {
    if (collection === 'availability') continue;
    const key = `${replica}/${id}`;
    if (!doc._deleted) where.set(key, [...(where.get(key) ?? []), collection]);
    const problem = options.forged && forgeryProblem(doc, options.forged);
    if (problem) problems.push(`${collection} ${key}: ${problem}`);
    if (!doc._deleted && !STATUSES[collection]?.has(doc.status)) problems.push(`${collection} ${key} has status ${doc.status}`);
    if (doc._deleted || collection === 'draftOrders') continue;
    const pricing = pricingProblem(doc, options.catalog);
    if (pricing) problems.push(`${collection} ${key}: ${pricing}`);
  }
  for (const [key, collections] of where) if (collections.length > 1) problems.push(`order ${key} is live in ${collections.join(' and ')}`);

  const processed = docs.filter((row) => row.collection === 'processedOrders' && !row.doc._deleted);
  problems.push(...moneyProblems(dataDir, processed));

  for (const { doc } of docs.filter((row) => row.collection === 'availability' && !row.doc._deleted)) {
    const slot = doc as unknown as DeliverySlot;
    const holding = processed.filter((row) => HOLDING.has(row.doc.status) && row.doc.slotId === slot.id).length;
    if (slot.taken > slot.capacity) problems.push(`slot ${slot.id} has ${slot.taken} taken of ${slot.capacity}`);
    if (slot.taken !== holding) problems.push(`slot ${slot.id} counts ${slot.taken} taken but holds ${holding} live or delivered orders`);
  }
  return problems;
}

/** Money against the processed orders: see `auditStore`. */
function moneyProblems(dataDir: string, processed: readonly { replica: string; id: string; doc: Doc }[]): string[] {
  const problems: string[] = [];
  const charges = new Map(ledgerCharges(dataDir).map((charge) => [charge.key, charge]));
  const processedKeys = new Set(processed.map((row) => `${row.replica}/${row.id}`));
  for (const { replica, id, doc } of processed) {
    const key = `${replica}/${id}`;
    const charge = charges.get(key);
    const charged = charge?.status === 'charged';
    const net = charged ? charge.amountCents - charge.refundedCents : 0;
    if (HOLDING.has(doc.status)) {
      if (net !== doc.totalCents) problems.push(`${doc.status} order ${key} has a net charge of ${net}, not its total ${doc.totalCents}`);
      if (charge?.paymentToken !== doc.paymentToken)
        problems.push(`${doc.status} order ${key} was charged on ${String(charge?.paymentToken)}, not ${String(doc.paymentToken)}`);
      if (doc.refundedTime !== undefined) problems.push(`${doc.status} order ${key} records a refund`);
      continue;
    }
    if (net !== 0) problems.push(`${doc.status} order ${key} kept a charge of ${net}`);
    const refunded = charged && charge.refundKey !== null;
    if (refunded !== (doc.refundedTime !== undefined))
      problems.push(`${doc.status} order ${key} ${refunded ? 'was refunded without recording it' : 'records a refund never made'}`);
  }
  for (const [key, charge] of charges) {
    if (charge.status === 'charged' && !processedKeys.has(key)) problems.push(`${key} was charged but is no processed order`);
    if (charge.refundKey !== null && charge.refundKey !== `refund:${key}`) problems.push(`${key} was refunded under ${charge.refundKey}`);
  }
  return problems;
}
