import type { JournalEntry } from './journal.ts';
import { withTimeout, type OrderDeps } from './order-deps.ts';

/** The gateway's idempotency key for giving an order's charge back: one per charge, so it is never given back twice. */
export const refundKey = (entry: Pick<JournalEntry, 'chargeKey'>) => `refund:${entry.chargeKey}`;

/** Whether the order's charge was given back (the gateway answered so). */
export const refunded = (entry: Pick<JournalEntry, 'refund'>) => entry.refund === 'refunded' || entry.refund === 'recorded';

/**
 * Gives the order's charge back through the gateway, if it holds one not yet
 * given back: journaled as `refunding` before the ask and `refunded` after
 * the answer. An ask cut off by a crash is asked again under the same key,
 * which the gateway honours once.
 */
export async function giveBack(deps: OrderDeps, entry: JournalEntry): Promise<JournalEntry> {
  if (!entry.chargeId || refunded(entry)) return entry;
  const asking = entry.refund === 'refunding' ? entry : await deps.journal.refunding(entry, 'refunding');
  try {
    await withTimeout(
      deps.gateway.refund({ idempotencyKey: refundKey(asking), chargeId: entry.chargeId }),
      deps.gatewayTimeoutMs,
      'the payment gateway',
    );
  } catch (error) {
    deps.refunds('failed');
    throw error;
  }
  const done = await deps.journal.refunding(asking, 'refunded');
  deps.refunds('made');
  return done;
}
