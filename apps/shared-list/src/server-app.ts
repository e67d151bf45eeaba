import { PouroverError, type WireDocument } from '@pourover/protocol';
import { canonicalJson, validFields, type PushInput, type PushPlan, type ServerApp, type Write } from '@pourover/sync-server/app';
import { listCollections, shoppingList } from './list.ts';
import { isListUpdate, listFields, mergeLists, sameEdits } from './list-doc.ts';

/** Refuses a list whose `ydoc` is no Yjs update: the server merges and reads it. */
function checkList(document: WireDocument, where: string): void {
  if (!isListUpdate(String(document['ydoc']))) throw new PouroverError('BAD_INPUT', `${where}: ydoc is not a Yjs update of a list`);
}

/** A list with its shown fields derived from its Yjs document, never taken from the device. */
function derived(id: string, ydoc: string): WireDocument {
  const list = { id, ...listFields(ydoc), ydoc, _deleted: false };
  return validFields(shoppingList, 'lists', list, `list ${id} as its ydoc has it`);
}

/**
 * A push of lists: each merged with the server's (Yjs), so an edit made
 * offline on one device never drops another's; a list deleted stays deleted.
 * A device that pushed over a state older than the server's gets the merge
 * back as the push's conflict, so it need not wait for the stream.
 */
async function planListsPush({ store, replica, collection, rows }: PushInput): Promise<PushPlan> {
  const current = await store.getMany(
    replica,
    collection,
    rows.map((row) => row.newDocumentState.id),
  );
  const writes: Write[] = [];
  const conflicts: WireDocument[] = [];
  rows.forEach((row, index) => {
    const stored = current[index] ?? null;
    const live = stored && !stored.document._deleted ? stored.document : null;
    const expect = live ? ({ kind: 'equals', state: live } as const) : ({ kind: 'absent' } as const);
    const next = row.newDocumentState;
    if (next._deleted) {
      if (live) writes.push({ collection, document: { ...live, _deleted: true }, expect });
      return;
    }
    const pushed = String(next['ydoc']);
    const ydoc = live ? mergeLists(String(live['ydoc']), pushed) : pushed;
    const merged = derived(next.id, ydoc);
    const unchanged =
      live !== null && sameEdits(String(live['ydoc']), ydoc) && canonicalJson(merged['items']) === canonicalJson(live['items']);
    if (!unchanged) writes.push({ collection, document: merged, expect });
    const stale = live !== null && canonicalJson(row.assumedMasterState ?? null) !== canonicalJson(live);
    if (stale) conflicts.push(unchanged ? live : merged);
  });
  return { writes, conflicts };
}

/** The shared list as the sync server runs it. */
export const sharedListServerApp: ServerApp = {
  collections: listCollections,
  hooks: { lists: { check: checkList, planPush: planListsPush } },
};
