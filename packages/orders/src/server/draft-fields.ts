import { PouroverError } from '@pourover/protocol';
import { derivedFields, emptyDraftUpdate, MAX_ITEM_COUNT, order, readDraft, type Order } from '@pourover/schemas';
import { validFields } from '@pourover/sync-server/app';
import type { Catalog } from './current-catalog.ts';

export type Draft = Order & { _deleted: boolean };

/**
 * Refuses a draft whose Yjs document names an item the catalog never held,
 * or a count that is no whole number up to the most an order holds: only a
 * device that is not the shop's writes those. An item since removed or
 * unavailable may stay in a draft; placing it is refused.
 */
function checkItems(ydoc: string, catalog: Catalog, where: string) {
  for (const [itemId, count] of readDraft(ydoc).items) {
    if (!catalog.entry(itemId)) throw new PouroverError('BAD_INPUT', `${where}: item ${itemId} is not in the catalog`);
    if (!Number.isInteger(count) || count > MAX_ITEM_COUNT) {
      throw new PouroverError('BAD_INPUT', `${where}: the count of item ${itemId} must be a whole number from 1 to ${MAX_ITEM_COUNT}`);
    }
  }
}

/**
 * A draft with its queryable fields derived from its Yjs document and the
 * catalog's prices, never taken from the device. Refused as bad input
 * unless it fits the order schema and names catalog items only. The Yjs
 * document itself must have passed `validDocument` already, or be the
 * server's merge of ones that did.
 */
export function normalizedDraft(draft: Draft, catalog: Catalog): Draft {
  const ydoc = draft.ydoc || emptyDraftUpdate();
  checkItems(ydoc, catalog, `draft ${draft.id}`);
  const normalized = { ...draft, ...derivedFields(ydoc, catalog.priceOf), ydoc };
  validFields(order, 'draftOrders', normalized, `draft ${draft.id} as its ydoc has it`);
  return normalized;
}

/** How far a device's clock may be from the server's for a new draft to keep the creation time the device gave it. */
const CREATED_BEFORE_MS = 10 * 60_000;
const CREATED_AHEAD_MS = 60_000;

/**
 * The creation time of a draft the server has not held before: the
 * device's, when it is within minutes of the server's clock (a draft made
 * online keeps it, and its echo writes nothing new on the device), or the
 * server's own (a draft made offline long ago, or a forged time).
 */
function checkedCreatedTime(claimed: string, now: Date): string {
  const offset = Date.parse(claimed) - now.getTime();
  return offset >= -CREATED_BEFORE_MS && offset <= CREATED_AHEAD_MS ? claimed : now.toISOString();
}

/**
 * A pushed draft with the fields the server owns set by the server: a
 * draft's status, the creation time it first gave it, and none of the
 * times, reasons or payment a device may have written.
 */
export function asDraft(next: Draft, live: Draft | null, now: Date): Draft {
  const {
    placedTime: _placed,
    receivedTime: _received,
    rejectReason: _rejected,
    refusal: _refusal,
    paymentToken: _payment,
    splitFrom: _split,
    steps: _steps,
    cancelReason: _cancelReason,
    cancelledBy: _cancelledBy,
    driverId: _driver,
    refundedTime: _refunded,
    approveBy: _approveBy,
    ...fields
  } = next;
  return {
    ...fields,
    status: 'draft',
    createdTime: live?.createdTime ?? checkedCreatedTime(next.createdTime, now),
    ...(live?.splitFrom ? { splitFrom: live.splitFrom } : {}),
  };
}

/** The order a draft becomes when placed: each line at the catalog's price now, stamped with the server's time and the payment it is charged with. */
export function placedOrder(draft: Draft, catalog: Catalog, placing: { now: Date; paymentToken: string }): Draft {
  const lines = draft.lines.map((line) => ({ ...line, unitCents: catalog.priceOf(line.itemId) ?? 0 }));
  const placed = {
    ...draft,
    lines,
    status: 'placed' as const,
    placedTime: placing.now.toISOString(),
    paymentToken: placing.paymentToken,
    _deleted: false,
  };
  validFields(order, 'placedOrders', placed, `order ${placed.id} as placed`);
  return placed;
}
