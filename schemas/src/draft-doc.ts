import * as Y from 'yjs';
import { fromBase64, toBase64 } from './base64.ts';
import type { OrderLine } from './order.ts';

/**
 * A draft's editable content lives in a Yjs document, stored in the order's
 * `ydoc` field as a base64 encoded update:
 * - map `items`: catalog item id → count;
 * - map `fields`: `note` (string) and `slotId` (string or null).
 * Concurrent edits merge; the same key set on two devices resolves to one
 * value on every device by Yjs's rule (the edit of the higher client id wins).
 */
export type DraftContent = { items: Map<string, number>; note: string; slotId: string | null };

// Marked pure, so a bundle that uses none of this file drops it, and Yjs with it (the shop loads it when first needed).
const EMPTY_BYTES = /* @__PURE__ */ Y.encodeStateAsUpdate(/* @__PURE__ */ new Y.Doc());
const EMPTY = /* @__PURE__ */ toBase64(EMPTY_BYTES);

/** The update of a draft with no content. */
export function emptyDraftUpdate(): string {
  return EMPTY;
}

/**
 * A draft's document is never a subdocument nor shared through a provider, so
 * its guid is never read (updates do not carry it); left out, Yjs makes a
 * random one from 31 getRandomValues calls, which took about 15% of the
 * server's CPU while it took pushed drafts (node --cpu-prof, bench).
 */
const GUID = 'pourover-draft';

/** Applies `update` to `doc`; the empty string is the update of an empty draft. */
function apply(doc: Y.Doc, update: string) {
  if (update) Y.applyUpdate(doc, fromBase64(update));
}

function load(update: string | Uint8Array): Y.Doc {
  const doc = new Y.Doc({ guid: GUID });
  if (typeof update === 'string') apply(doc, update);
  else Y.applyUpdate(doc, update);
  return doc;
}

function contentOf(doc: Y.Doc): DraftContent {
  const items = new Map<string, number>();
  for (const [id, count] of doc.getMap<number>('items')) if (count > 0) items.set(id, count);
  const fields = doc.getMap<string | null>('fields');
  return {
    items,
    note: (fields.get('note') as string | undefined) ?? '',
    slotId: (fields.get('slotId') as string | null | undefined) ?? null,
  };
}

/**
 * What the updates found to be drafts lately hold: the same order comes back
 * through a server again and again (pushed, placed, moved by the
 * processor), and decoding it is most of the cost of checking it and of
 * reading it after.
 */
const knownDrafts = new Map<string, DraftContent>();
const KNOWN_DRAFTS = 1_000;

/**
 * Whether `update` is a draft's Yjs update (or '', the empty draft): it
 * decodes, merges with another, and its content reads. Anything else would
 * fail only later, deep in a merge.
 */
export function isDraftUpdate(update: string): boolean {
  if (knownDrafts.has(update)) return true;
  let content: DraftContent;
  try {
    // Merged as bytes: going through base64 again cost a tenth of a server taking pushed drafts.
    content = contentOf(load(update ? Y.mergeUpdates([fromBase64(update), EMPTY_BYTES]) : EMPTY_BYTES));
  } catch {
    return false;
  }
  // The oldest makes room (a Map iterates in insertion order).
  if (knownDrafts.size >= KNOWN_DRAFTS) knownDrafts.delete(knownDrafts.keys().next().value as string);
  knownDrafts.set(update, content);
  return true;
}

/** What a draft holds. */
export function readDraft(update: string): DraftContent {
  const known = knownDrafts.get(update);
  // A copy: the caller may change what it is given.
  return known ? { ...known, items: new Map(known.items) } : contentOf(load(update));
}

export type DraftEdit =
  | { kind: 'setCount'; itemId: string; count: number }
  | { kind: 'remove'; itemId: string }
  | { kind: 'setNote'; note: string }
  | { kind: 'setSlot'; slotId: string | null };

/**
 * The documents that made the latest edits, by the update each made. An
 * edit of that update goes on in the same document, as one Yjs client:
 * the overwritten values of one key then merge into one deleted range.
 * Loading each update afresh made every edit a new client, and every
 * overwritten value stayed, about 30 characters of update an edit: a draft
 * edited a thousand times held 30,000, and each edit of it took 6 ms in
 * Node. A document is taken out while it is edited, so two edits never go
 * on from one state as the same client.
 */
const editing = new Map<string, Y.Doc>();
const EDITING = 100;

function edited(update: string, edits: readonly DraftEdit[]): { doc: Y.Doc; next: string } {
  const doc = editing.get(update) ?? load(update);
  editing.delete(update);
  doc.transact(() => {
    const items = doc.getMap<number>('items');
    const fields = doc.getMap<string | null>('fields');
    for (const edit of edits) {
      if (edit.kind === 'setCount') {
        if (edit.count > 0) items.set(edit.itemId, edit.count);
        else items.delete(edit.itemId);
      } else if (edit.kind === 'remove') items.delete(edit.itemId);
      else if (edit.kind === 'setNote') fields.set('note', edit.note);
      else fields.set('slotId', edit.slotId);
    }
  });
  const next = toBase64(Y.encodeStateAsUpdate(doc));
  // The oldest makes room (a Map iterates in insertion order).
  if (editing.size >= EDITING) editing.delete(editing.keys().next().value as string);
  editing.set(next, doc);
  return { doc, next };
}

/** Applies edits to a draft and returns its new update, compacted (deletions leave no history). */
export function editDraft(update: string, edits: readonly DraftEdit[]): string {
  return edited(update, edits).next;
}

/**
 * `editDraft` and `derivedFields` of its result in one: the fields are read
 * from the edited document rather than from loading its update again, which
 * was a third of the CPU of an edit on a device.
 */
export function editDraftWithFields(update: string, edits: readonly DraftEdit[], priceOf: (itemId: string) => number | undefined) {
  const { doc, next } = edited(update, edits);
  return { ydoc: next, ...fieldsOf(contentOf(doc), priceOf) };
}

/** Both drafts' edits in one update; the same on every device whatever the order. */
export function mergeDrafts(a: string, b: string): string {
  return toBase64(Y.mergeUpdates([a, b].filter(Boolean).map(fromBase64)));
}

/**
 * The edits of `update` that `base` has not seen, as a draft of their own:
 * the items whose count they changed (with the merged count) and the note if
 * they changed it. `touched` is false when `base` holds every edit of `update`.
 */
export function editsNotIn(update: string, base: string): DraftContent & { touched: boolean } {
  const doc = load(base);
  const items = doc.getMap<number>('items');
  const fields = doc.getMap<string | null>('fields');
  const changedItems = new Set<string>();
  const changedFields = new Set<string>();
  items.observe((event) => event.keysChanged.forEach((key) => changedItems.add(key)));
  fields.observe((event) => event.keysChanged.forEach((key) => changedFields.add(key)));
  apply(doc, update);
  const kept = new Map<string, number>();
  for (const id of changedItems) {
    const count = items.get(id);
    if (count !== undefined && count > 0) kept.set(id, count);
  }
  const note = changedFields.has('note') ? ((fields.get('note') as string | undefined) ?? '') : '';
  const slotId = changedFields.has('slotId') ? ((fields.get('slotId') as string | null | undefined) ?? null) : null;
  return { items: kept, note, slotId, touched: kept.size > 0 || note !== '' };
}

/** The queryable fields of an order, derived from its draft content and the catalog's prices. */
export function derivedFields(update: string, priceOf: (itemId: string) => number | undefined) {
  return fieldsOf(readDraft(update), priceOf);
}

function fieldsOf(content: DraftContent, priceOf: (itemId: string) => number | undefined) {
  const lines: OrderLine[] = [...content.items]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([itemId, count]) => ({ itemId, count: Math.min(count, 99) }));
  return {
    lines,
    itemCount: lines.reduce((sum, line) => sum + line.count, 0),
    totalCents: lines.reduce((sum, line) => sum + line.count * (priceOf(line.itemId) ?? 0), 0),
    note: content.note,
    slotId: content.slotId,
  };
}
