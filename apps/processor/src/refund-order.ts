import type { WireDocument } from '@pourover/protocol';
import { withRecovery } from '@pourover/sync-client';
import { giveBack } from './give-back.ts';
import type { JournalEntry } from './journal.ts';
import { moveProcessed } from './move-processed.ts';
import type { OrderDeps } from './order-deps.ts';
import { processOrder } from './process-order.ts';

/**
 * What became of an order's refund:
 * - `refunded`: its charge was given back and `refundedTime` recorded now;
 * - `recorded`: that was done before;
 * - `uncharged`: this processor never charged it (never took it in, or the
 *   charge was declined), so nothing is given back;
 * - `live`: the order is not cancelled or rejected on the server.
 */
export type RefundOutcome = 'refunded' | 'recorded' | 'uncharged' | 'live';

const RECORD_ATTEMPTS = 3;

const ended = (order: WireDocument | undefined): order is WireDocument =>
  order !== undefined && !order._deleted && (order['status'] === 'cancelled' || order['status'] === 'rejected');

async function processedNow(deps: OrderDeps, entry: JournalEntry): Promise<WireDocument | undefined> {
  const { documents } = await withRecovery(deps.credentials, () =>
    deps.client.sync.get.query({ collection: 'processedOrders', ids: [entry.id], replica: entry.replica }),
  );
  return documents[0];
}

/**
 * Gives back the charge of an order the server holds as cancelled or
 * rejected, exactly once, and records it on the order: the journal says
 * `refunding` before the gateway is asked (key `refund:<chargeKey>`, the
 * one an inline rejection's refund uses), `refunded` after, and `recorded`
 * once a batch has set the order's `refundedTime` (same status, the order
 * as read as its precondition). An entry whose processing was cut off is
 * first brought to its end, so a charge asked for is never missed. Run for
 * one order at a time, never beside its processing.
 */
export async function refundOrder(deps: OrderDeps, replica: string, id: string): Promise<RefundOutcome> {
  let entry = deps.journal.get(replica, id);
  if (!entry) return 'uncharged';
  if (entry.refund === 'recorded') return 'recorded';
  if (entry.step !== 'done') {
    await processOrder(deps, replica, entry.snapshot);
    entry = deps.journal.get(replica, id) ?? entry;
    if (entry.refund === 'recorded') return 'recorded';
  }
  if (!entry.chargeId) return 'uncharged';
  const read = await processedNow(deps, entry);
  if (!ended(read)) return 'live';
  let order: WireDocument = read;
  entry = await giveBack(deps, entry);
  for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt += 1) {
    if (order['refundedTime'] !== undefined) {
      await deps.journal.refunding(entry, 'recorded');
      return 'recorded';
    }
    const result = await moveProcessed(deps, replica, order, { refundedTime: deps.now().toISOString() });
    if (result.ok) {
      await deps.journal.refunding(entry, 'recorded');
      return 'refunded';
    }
    const now = await processedNow(deps, entry);
    if (!ended(now)) throw new Error(`order ${id} left its end while its refund was recorded`);
    order = now;
  }
  throw new Error(`could not record the refund of order ${id}; will try again`);
}
