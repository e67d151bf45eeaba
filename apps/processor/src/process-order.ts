import type { WireDocument } from '@pourover/protocol';
import { withRecovery, type Credentials, type SyncClient } from '@pourover/sync-client';
import type { Order } from '@pourover/schemas';
import { chargeRefusal } from './charge-check.ts';
import { giveBack, refunded } from './give-back.ts';
import type { JournalEntry, Outcome } from './journal.ts';
import { live, withTimeout, type OrderDeps } from './order-deps.ts';

export type { OrderDeps } from './order-deps.ts';

export type OrderOutcome = { outcome: Outcome; reason: string | null };

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{${Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}

/**
 * Processes one placed order exactly once, resuming from its journal entry:
 * snapshot → charge (idempotency key = order id) → one batch that moves the
 * order to processedOrders and takes a place in its slot, with preconditions.
 * A full slot, a passed cutoff or a declined payment moves it as rejected,
 * after the charge (if any) is refunded. Every step is journaled before the
 * next, and a move already committed is recognised as done; so is an order
 * the shopper cancelled while it was still placed (`cancelled`), whose charge,
 * if one was made, is given back after (refund-order.ts). A move a restore
 * of the server undid is made again.
 */
export async function processOrder(deps: OrderDeps, replica: string, seen: Order): Promise<OrderOutcome> {
  const { journal } = deps;
  const resumed = journal.get(replica, seen.id);
  let entry = resumed ?? (await journal.snapshot(replica, seen));
  if (canonical(entry.snapshot) !== canonical(seen)) {
    deps.warn('the order changed after it was snapshotted; processing the snapshot', { order: seen.id, replica });
  }
  // Only an order this journal had seen before can have been moved by an earlier run. One done here and yet placed on
  // the server was moved back by a restore of the server: its move is made again below, never its charge or refund.
  if (resumed) {
    const done = await alreadyProcessed(deps, entry);
    if (done) return done;
  }

  if (entry.step === 'snapshotted') {
    const refusal = chargeRefusal(entry.snapshot);
    if (refusal) return rejectFor(deps, entry, refusal);
    // What the shopper saw when placing is what is charged.
    entry = await charge(deps, entry);
  }
  if (entry.outcome === 'rejected') return reject(deps, entry, entry.reason ?? 'rejected');
  const { slotId } = entry.snapshot;
  if (!slotId) return rejectFor(deps, entry, 'no delivery slot was chosen');

  let placedNow = live(entry.snapshot);
  for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt += 1) {
    const received: Order = { ...entry.snapshot, status: 'received', receivedTime: deps.now().toISOString() };
    const result = await withRecovery(deps.credentials, () =>
      deps.client.sync.batch.mutate({
        replica,
        operations: [
          { collection: 'processedOrders', precondition: { kind: 'absent' }, write: live(received) },
          { collection: 'placedOrders', precondition: { kind: 'equals', state: placedNow }, write: { ...live(received), _deleted: true } },
          // One place in the slot, checked and taken inside the commit: never over capacity, never after the cutoff.
          { collection: 'availability', increment: { id: slotId, field: 'taken', by: 1, atMost: 'capacity', before: 'cutoff' } },
        ],
      }),
    );
    if (result.ok) {
      await journal.advance(entry, 'done', { outcome: 'received' });
      return { outcome: 'received', reason: null };
    }
    if (result.reason === 'precondition' && result.failed.index === 2) {
      return rejectFor(deps, entry, slotRefusals[result.failed.detail ?? 'absent']);
    }
    const moved = await alreadyProcessed(deps, entry);
    if (moved) return moved;
    placedNow = await currentPlaced(deps, entry);
  }
  throw new Error(`order ${entry.id} could not be moved; will try again`);
}

const MOVE_ATTEMPTS = 3;

const slotRefusals: Record<'absent' | 'limit' | 'too-late', string> = {
  absent: 'the delivery slot no longer exists',
  limit: 'the delivery slot is full',
  'too-late': 'the delivery slot’s order cutoff has passed',
};

/** Charges the snapshot's total on the payment method it records (its shopper's, for an older order), and journals the answer. */
async function charge(deps: OrderDeps, entry: JournalEntry): Promise<JournalEntry> {
  const token = entry.snapshot.paymentToken ?? (await deps.profileToken(entry.replica));
  const charge = await withTimeout(
    deps.gateway.charge({ idempotencyKey: entry.chargeKey, amountCents: entry.snapshot.totalCents, paymentToken: token }),
    deps.gatewayTimeoutMs,
    'the payment gateway',
  );
  return charge.status === 'charged'
    ? deps.journal.advance(entry, 'charged', { chargeId: charge.chargeId })
    : deps.journal.advance(entry, 'declined', { outcome: 'rejected', reason: `payment declined: ${charge.reason}` });
}

/** Journals the decision to reject before anything else, so a restart finishes the rejection rather than retrying the order. */
async function rejectFor(deps: OrderDeps, entry: JournalEntry, reason: string): Promise<OrderOutcome> {
  return reject(deps, await deps.journal.advance(entry, entry.step, { outcome: 'rejected', reason }), reason);
}

/**
 * Gives back any charge (once), then moves the order to processedOrders as
 * rejected, recording the refund with it (`refundedTime`, stamped by the
 * server) when there was a charge to give back. A done order moved back by a
 * restore may have been received and charged: its charge is given back too.
 */
async function reject(deps: OrderDeps, entry: JournalEntry, reason: string): Promise<OrderOutcome> {
  entry = await giveBack(deps, entry);
  const rejected: Order = {
    ...entry.snapshot,
    status: 'rejected',
    receivedTime: deps.now().toISOString(),
    rejectReason: reason.slice(0, 500),
    ...(refunded(entry) ? { refundedTime: deps.now().toISOString() } : {}),
  };
  let placedNow = live(entry.snapshot);
  for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt += 1) {
    const result = await withRecovery(deps.credentials, () =>
      deps.client.sync.batch.mutate({
        replica: entry.replica,
        operations: [
          { collection: 'processedOrders', precondition: { kind: 'absent' }, write: live(rejected) },
          { collection: 'placedOrders', precondition: { kind: 'equals', state: placedNow }, write: { ...live(rejected), _deleted: true } },
        ],
      }),
    );
    if (result.ok) {
      entry = await deps.journal.advance(entry, 'done', { outcome: 'rejected', reason });
      if (refunded(entry)) await deps.journal.refunding(entry, 'recorded');
      return { outcome: 'rejected', reason };
    }
    const moved = await alreadyProcessed(deps, entry);
    if (moved) return moved;
    placedNow = await currentPlaced(deps, entry);
  }
  throw new Error(`could not move rejected order ${entry.id}; will try again`);
}

/**
 * The placed order as the server holds it now, for the move's precondition.
 * It should equal the snapshot; if someone changed it, the snapshot is still
 * what gets processed, and the change is logged.
 */
async function currentPlaced(deps: OrderDeps, entry: JournalEntry): Promise<WireDocument> {
  const { documents } = await withRecovery(deps.credentials, () =>
    deps.client.sync.get.query({ collection: 'placedOrders', ids: [entry.id], replica: entry.replica }),
  );
  const [current] = documents;
  if (current && !current._deleted && canonical(current) !== canonical(live(entry.snapshot))) {
    deps.warn('the placed order on the server differs from the snapshot; processing the snapshot', {
      order: entry.id,
      replica: entry.replica,
    });
    return current;
  }
  return live(entry.snapshot);
}

/** How an order the server already processed ended for the processor, and why. */
function outcomeOf(processed: WireDocument): OrderOutcome {
  const reasonOf = (field: string) => (typeof processed[field] === 'string' ? processed[field] : null);
  switch (processed['status']) {
    case 'rejected':
      return { outcome: 'rejected', reason: reasonOf('rejectReason') };
    case 'cancelled':
      return { outcome: 'cancelled', reason: reasonOf('cancelReason') };
    default:
      return { outcome: 'received', reason: null };
  }
}

/**
 * A move committed before (by an earlier run whose acknowledgement was lost)
 * is recognised and journaled as done; so is an order the shopper cancelled
 * while it was placed, which the store's move can then no longer take.
 */
async function alreadyProcessed(deps: OrderDeps, entry: JournalEntry): Promise<OrderOutcome | undefined> {
  const { documents } = await withRecovery(deps.credentials, () =>
    deps.client.sync.get.query({ collection: 'processedOrders', ids: [entry.id], replica: entry.replica }),
  );
  const [processed] = documents;
  if (!processed || processed._deleted) return undefined;
  const ended = outcomeOf(processed);
  if (ended.outcome !== 'received') entry = await settleCharge(deps, entry);
  await deps.journal.advance(entry, 'done', { outcome: ended.outcome, ...(ended.reason ? { reason: ended.reason } : {}) });
  return ended;
}

/**
 * An entry resumed at `snapshotted` may have asked for its charge just
 * before a crash, and its order was then ended by someone else. Asked again
 * under the same key, the gateway answers what it did, so a charge made is
 * never lost and is given back after; if the first ask never reached it,
 * the order is charged now and refunded after, which nets to nothing just
 * the same. An order the check refuses was never asked for.
 */
async function settleCharge(deps: OrderDeps, entry: JournalEntry): Promise<JournalEntry> {
  if (entry.step !== 'snapshotted' || entry.outcome !== null || chargeRefusal(entry.snapshot)) return entry;
  return charge(deps, entry);
}

/** The payment token on a shopper's profile as it stands, read for each order that needs it: a shopper may change cards at any time. */
export function profileTokens(client: SyncClient, credentials: Credentials): (replica: string) => Promise<string> {
  return async (replica) => {
    const shopperId = replica.split(':')[2] ?? '';
    const { documents } = await withRecovery(credentials, () => client.sync.get.query({ collection: 'user', ids: [shopperId], replica }));
    return String(documents[0]?.['paymentToken'] ?? '');
  };
}
