import { createHash } from 'node:crypto';
import type { PushRow, WireDocument } from '@pourover/protocol';
import { derivedFields, editDraft, editsNotIn, emptyDraftUpdate, mergeDrafts, STORE, type DraftEdit, type Order } from '@pourover/schemas';
import { validFields } from '../documents.ts';
import { stableId } from '../stable-id.ts';
import { canonicalJson } from '../store/canonical.ts';
import type { Store, StoredDocument, Write } from '../store/store.ts';

type Draft = Order & { _deleted: boolean };
type Prices = (itemId: string) => number | undefined;

/** Each store's catalog prices as last read, and the position of the catalog's latest change then. */
const readPrices = new WeakMap<Store, { seq: number; prices: Map<string, number> }>();

/**
 * The catalog's prices as they stand, for deriving order totals. Every
 * pushed draft needs them; they are read again only when the catalog has
 * changed since the last read.
 */
export async function currentPrices(store: Store): Promise<Prices> {
  const last = readPrices.get(store);
  if (last && (await store.collectionHead(STORE, 'catalog')) === last.seq) return (itemId) => last.prices.get(itemId);
  const items = await store.pull(STORE, 'catalog', 0, 10_000);
  const prices = new Map(items.map((item) => [item.document.id, Number(item.document['priceCents'])]));
  readPrices.set(store, { seq: items.at(-1)?.seq ?? 0, prices });
  return (itemId) => prices.get(itemId);
}

/**
 * A draft with its queryable fields derived from its Yjs document, never
 * taken from the device. Refused as bad input unless it fits the order
 * schema: the Yjs document is the device's too, and may name an item that is
 * no id, a fractional count, a note too long. The Yjs document itself must
 * have passed `validDocument` already, or be the server's merge of ones that
 * did: checking it again doubled the work of every pushed draft.
 */
export function normalizedDraft(draft: Draft, prices: Prices): Draft {
  const ydoc = draft.ydoc || emptyDraftUpdate();
  const normalized = { ...draft, ...derivedFields(ydoc, prices), ydoc };
  validFields('draftOrders', normalized, `draft ${draft.id} as its ydoc has it`);
  return normalized;
}

/** What a shopper sees of a draft. */
const contentOf = (draft: Draft) => canonicalJson([draft.lines, draft.note, draft.slotId]);

const expectCurrent = (current: StoredDocument | null) =>
  current ? ({ kind: 'equals', state: current.document } as const) : ({ kind: 'absent' } as const);

/**
 * A draft of the edits in `update` that the order placed as `placedUpdate`
 * does not hold, or nothing when there are none. Its id follows from the
 * order and the edits, so a retried push makes the same draft once.
 */
function splitDraft(order: Draft, update: string, placedUpdate: string, prices: Prices): Write | undefined {
  const late = editsNotIn(update, placedUpdate);
  if (!late.touched) return undefined;
  const edits: DraftEdit[] = [...late.items].map(([itemId, count]) => ({ kind: 'setCount', itemId, count }));
  if (late.note) edits.push({ kind: 'setNote', note: late.note });
  const ydoc = editDraft(emptyDraftUpdate(), edits);
  const id = stableId(`split:${order.id}:${createHash('sha256').update(update).digest('hex')}`);
  const draft = normalizedDraft(
    { id, status: 'draft', lines: [], itemCount: 0, totalCents: 0, note: '', slotId: null, ydoc, createdTime: order.createdTime, splitFrom: order.id, _deleted: false },
    prices,
  );
  // A retried push makes it again (its Yjs document with another client id): the one made first stays, as edited since.
  return { collection: 'draftOrders', document: draft, expect: { kind: 'first' } };
}

export type DraftPushPlan = { writes: Write[]; conflicts: WireDocument[] };

/**
 * What one pushed draft does on the server:
 * - an edit merges with the server's draft (Yjs), so no edit is dropped and
 *   the device needs no second round trip;
 * - a draft marked `placing` moves, in the same commit, to `placedOrders`
 *   exactly as the device saw it, stamped with the server's time; edits the
 *   server had that the device did not see become a new draft;
 * - an edit of a draft already placed elsewhere becomes a new draft of the
 *   edits the placed order lacks, and the device is told the draft is gone.
 */
export function planDraftPush(row: PushRow, current: StoredDocument | null, context: { prices: Prices; now: Date }): DraftPushPlan {
  const next = row.newDocumentState as Draft;
  const live = current && !current.document._deleted ? (current.document as Draft) : null;
  const moved = current?.document._deleted && current.document['status'] !== 'draft' ? (current.document as Draft) : null;

  if (moved) {
    const split = next._deleted ? undefined : splitDraft(moved, next.ydoc, moved.ydoc, context.prices);
    return { writes: split ? [split] : [], conflicts: current ? [current.document] : [] };
  }
  if (next.status === 'placing' && !next._deleted) {
    const placed = { ...normalizedDraft(next, context.prices), status: 'placed' as const, placedTime: context.now.toISOString(), _deleted: false };
    validFields('placedOrders', placed, `order ${placed.id} as placed`);
    const writes: Write[] = [
      { collection: 'placedOrders', document: placed, expect: { kind: 'absent' } },
      { collection: 'draftOrders', document: { ...placed, _deleted: true }, expect: expectCurrent(current) },
    ];
    const split = live ? splitDraft(placed, live.ydoc, placed.ydoc, context.prices) : undefined;
    return { writes: split ? [...writes, split] : writes, conflicts: [] };
  }
  if (next._deleted) {
    if (!live) return { writes: [], conflicts: [] };
    return { writes: [{ collection: 'draftOrders', document: { ...live, status: 'draft', _deleted: true }, expect: expectCurrent(current) }], conflicts: [] };
  }
  const ydoc = live ? mergeDrafts(live.ydoc, next.ydoc) : next.ydoc;
  const merged = normalizedDraft({ ...next, ydoc, status: 'draft', createdTime: live?.createdTime ?? next.createdTime }, context.prices);
  const write: Write = { collection: 'draftOrders', document: merged as WireDocument, expect: expectCurrent(current) };
  // A device that pushed over a state older than the server's and shows less than the merge may never be sent the
  // merge (it pushed again, after a restart, a write whose answer it never got; the newer state lies behind its
  // checkpoint): the merge goes back to it as the push's conflict. A device that pushed over the server's state is
  // not answered so, whatever its own conflict rule made of the merge, so the answer cannot go back and forth.
  const stale = live !== null && (row.assumedMasterState == null || canonicalJson(row.assumedMasterState) !== canonicalJson(live));
  const behind = stale && contentOf(merged) !== contentOf(normalizedDraft(next, context.prices));
  return { writes: [write], conflicts: behind ? [merged as WireDocument] : [] };
}
