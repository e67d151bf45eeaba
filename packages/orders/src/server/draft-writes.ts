import { createHash } from 'node:crypto';
import type { PushRow, WireDocument } from '@pourover/protocol';
import { editDraft, editsNotIn, emptyDraftUpdate, mergeDrafts, type DraftEdit } from '@pourover/schemas';
import { canonicalJson, stableId, type StoredDocument, type Write } from '@pourover/sync-server/app';
import type { Catalog } from './current-catalog.ts';
import { asDraft, normalizedDraft, placedOrder, type Draft } from './draft-fields.ts';
import { placingRefusal, type PlacingFacts } from './placing-rules.ts';

/** What the server knows when it plans a pushed draft; `placing` only for a draft pushed as placed. */
export type DraftContext = {
  catalog: Catalog;
  now: Date;
  /** What placing the draft depends on, and the order already placed under its id, if one was. */
  placing?: { facts: PlacingFacts; placedAlready: Draft | undefined } | undefined;
};

/** What a shopper sees of a draft. */
const contentOf = (draft: Draft) => canonicalJson([draft.lines, draft.note, draft.slotId]);

const expectCurrent = (current: StoredDocument | null) =>
  current ? ({ kind: 'equals', state: current.document } as const) : ({ kind: 'absent' } as const);

/**
 * A draft of the edits in `update` that the order placed as `placedUpdate`
 * does not hold, or nothing when there are none. Its id follows from the
 * order and the edits, so a retried push makes the same draft once.
 */
function splitDraft(order: Draft, update: string, placedUpdate: string, catalog: Catalog): Write | undefined {
  const late = editsNotIn(update, placedUpdate);
  if (!late.touched) return undefined;
  const edits: DraftEdit[] = [...late.items].map(([itemId, count]) => ({ kind: 'setCount', itemId, count }));
  if (late.note) edits.push({ kind: 'setNote', note: late.note });
  const ydoc = editDraft(emptyDraftUpdate(), edits);
  const id = stableId(`split:${order.id}:${createHash('sha256').update(update).digest('hex')}`);
  const draft = normalizedDraft(
    {
      id,
      status: 'draft',
      lines: [],
      itemCount: 0,
      totalCents: 0,
      note: '',
      slotId: null,
      ydoc,
      createdTime: order.createdTime,
      splitFrom: order.id,
      _deleted: false,
    },
    catalog,
  );
  // A retried push makes it again (its Yjs document with another client id): the one made first stays, as edited since.
  return { collection: 'draftOrders', document: draft, expect: { kind: 'first' } };
}

export type DraftPushPlan = { writes: Write[]; conflicts: WireDocument[] };

/** A draft pushed after its order moved on: the device is told it is gone, and its edits the order lacks become a new draft. */
function afterMove(next: Draft, moved: Draft, current: StoredDocument | null, catalog: Catalog): DraftPushPlan {
  const tombstone =
    current?.document._deleted && current.document['status'] !== 'draft'
      ? current.document
      : { ...moved, status: 'placed' as const, _deleted: true };
  const split = next._deleted ? undefined : splitDraft(moved, next.ydoc, moved.ydoc, catalog);
  const writes: Write[] =
    current?.document === tombstone ? [] : [{ collection: 'draftOrders', document: tombstone, expect: expectCurrent(current) }];
  return { writes: split ? [...writes, split] : writes, conflicts: [tombstone] };
}

/**
 * A draft pushed as placed: moved, in one commit, to `placedOrders` exactly
 * as the device saw it, priced from the catalog and stamped by the server;
 * edits the server had that the device did not see become a new draft. If
 * the order rules refuse it, it stays a draft, with the device's edits and
 * the reason, and goes back to the device as the push's conflict.
 */
function placeDraft(
  next: Draft,
  live: Draft | null,
  current: StoredDocument | null,
  context: DraftContext,
  facts: PlacingFacts,
): DraftPushPlan {
  const { catalog, now } = context;
  const priced = normalizedDraft(asDraft(next, live, now), catalog);
  const reason = placingRefusal(priced, next.totalCents, facts);
  if (reason) {
    const ydoc = live ? mergeDrafts(live.ydoc, next.ydoc) : next.ydoc;
    const kept = { ...normalizedDraft({ ...priced, ydoc }, catalog), refusal: { reason, at: now.toISOString() } };
    return { writes: [{ collection: 'draftOrders', document: kept, expect: expectCurrent(current) }], conflicts: [kept] };
  }
  const placed = placedOrder(priced, catalog, { now, paymentToken: facts.paymentToken });
  const writes: Write[] = [
    { collection: 'placedOrders', document: placed, expect: { kind: 'absent' } },
    { collection: 'draftOrders', document: { ...placed, _deleted: true }, expect: expectCurrent(current) },
  ];
  const split = live ? splitDraft(placed, live.ydoc, placed.ydoc, catalog) : undefined;
  return { writes: split ? [...writes, split] : writes, conflicts: [] };
}

/**
 * What one pushed draft does on the server:
 * - an edit merges with the server's draft (Yjs), so no edit is dropped and
 *   the device needs no second round trip; the fields the server owns
 *   (status, times, reasons, payment) are the server's, whatever was pushed;
 * - a draft marked `placing` is placed, or refused by the order rules;
 * - an edit of a draft already placed becomes a new draft of the edits the
 *   placed order lacks, and the device is told the draft is gone.
 */
export function planDraftPush(row: PushRow, current: StoredDocument | null, context: DraftContext): DraftPushPlan {
  const next = row.newDocumentState as Draft;
  const live = current && !current.document._deleted ? (current.document as Draft) : null;
  const moved =
    current?.document._deleted && current.document['status'] !== 'draft' ? (current.document as Draft) : context.placing?.placedAlready;

  if (moved) return afterMove(next, moved, current, context.catalog);
  if (next.status === 'placing' && !next._deleted && context.placing)
    return placeDraft(next, live, current, context, context.placing.facts);
  if (next._deleted) {
    if (!live) return { writes: [], conflicts: [] };
    return {
      writes: [{ collection: 'draftOrders', document: { ...live, status: 'draft', _deleted: true }, expect: expectCurrent(current) }],
      conflicts: [],
    };
  }
  const ydoc = live ? mergeDrafts(live.ydoc, next.ydoc) : next.ydoc;
  const merged = normalizedDraft({ ...asDraft(next, live, context.now), ydoc }, context.catalog);
  const write: Write = { collection: 'draftOrders', document: merged as WireDocument, expect: expectCurrent(current) };
  // A device that pushed over a state older than the server's and shows less than the merge may never be sent the
  // merge (it pushed again, after a restart, a write whose answer it never got; the newer state lies behind its
  // checkpoint): the merge goes back to it as the push's conflict. A device that pushed over the server's state is
  // not answered so, whatever its own conflict rule made of the merge, so the answer cannot go back and forth.
  const stale = live !== null && (row.assumedMasterState == null || canonicalJson(row.assumedMasterState) !== canonicalJson(live));
  const behind = stale && contentOf(merged) !== contentOf(normalizedDraft(asDraft(next, live, context.now), context.catalog));
  return { writes: [write], conflicts: behind ? [merged as WireDocument] : [] };
}
