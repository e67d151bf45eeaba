import { fromBase64, toBase64 } from '@pourover/schemas';
import * as Y from 'yjs';
import type { ListItem } from './list.ts';

/** A list's Yjs document: `meta.title`, and `items` mapping an item's id to its text and whether it is done. */
function load(update: string): Y.Doc {
  const doc = new Y.Doc();
  if (update) Y.applyUpdate(doc, fromBase64(update));
  return doc;
}

const encode = (doc: Y.Doc) => toBase64(Y.encodeStateAsUpdate(doc));

/** An edit of a list, as a device makes it. */
export type ListEdit =
  { kind: 'setTitle'; title: string } | { kind: 'setItem'; id: string; text: string; done: boolean } | { kind: 'removeItem'; id: string };

/** The list `update` with `edits` applied, as a new update holding the whole list. */
export function editList(update: string, edits: readonly ListEdit[]): string {
  const doc = load(update);
  doc.transact(() => {
    for (const edit of edits) {
      if (edit.kind === 'setTitle') doc.getMap('meta').set('title', edit.title);
      else if (edit.kind === 'setItem') doc.getMap('items').set(edit.id, { text: edit.text, done: edit.done });
      else doc.getMap('items').delete(edit.id);
    }
  });
  return encode(doc);
}

/** Both lists' edits in one update: what two devices wrote apart, together. */
export function mergeLists(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return toBase64(Y.mergeUpdates([fromBase64(a), fromBase64(b)]));
}

/** The fields a list shows, read from its Yjs document; items in id order, so every replica derives the same. */
export function listFields(update: string): { title: string; items: ListItem[] } {
  const doc = load(update);
  const title = doc.getMap('meta').get('title');
  const items = [...doc.getMap('items').entries()]
    .map(([id, value]) => {
      const entry = value as { text?: unknown; done?: unknown };
      return { id, text: String(entry.text ?? ''), done: entry.done === true };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { title: typeof title === 'string' ? title : '', items };
}

/** Whether `update` is a Yjs update this app can read (the server refuses a list whose `ydoc` is not). */
export function isListUpdate(update: string): boolean {
  try {
    listFields(update);
    return true;
  } catch {
    return false;
  }
}

/** Whether two updates hold the same edits (Yjs state vectors), so merging one into the other changes nothing. */
export function sameEdits(a: string, b: string): boolean {
  const vector = (update: string) => toBase64(Y.encodeStateVectorFromUpdate(fromBase64(update)));
  return vector(a) === vector(b);
}
