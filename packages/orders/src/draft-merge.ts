import type { RxConflictHandler, WithDeleted } from 'rxdb/plugins/core';
import { deepEqual } from 'rxdb/plugins/utils';
import { draftDoc } from './draft-doc.ts';

type Doc = WithDeleted<Record<string, unknown>>;

/**
 * Drafts merged as the server merges them: both Yjs documents, and the
 * fields derived from the merge (priced by `priceOf`). A draft the server
 * holds as gone (placed, or discarded) stays gone, and so does one the
 * device discarded; a draft whose placing the server refused (it carries
 * the `refusal`) is a draft again. A field rule here would disagree with the server's
 * merge: the device would keep its note while the server kept another, and
 * neither side would tell the other.
 */
export function draftMerge(priceOf: (itemId: string) => number | undefined): RxConflictHandler<Record<string, unknown>> {
  return {
    isEqual: sameDraft,
    resolve: async ({ realMasterState, newDocumentState }) => {
      if (realMasterState._deleted || newDocumentState._deleted) return realMasterState;
      const { derivedFields, mergeDrafts } = await draftDoc();
      const ydoc = mergeDrafts(String(realMasterState['ydoc']), String(newDocumentState['ydoc']));
      // A draft placed here stays placed until the server moves it, unless the server refused to place it: then it is a draft again.
      const refused = realMasterState['refusal'] !== undefined;
      const status = newDocumentState['status'] === 'placing' && !refused ? 'placing' : realMasterState['status'];
      return { ...realMasterState, ...derivedFields(ydoc, priceOf), ydoc, status };
    },
  };
}

/**
 * Whether two states of a draft show the same: every field but the Yjs
 * document, whose content the other fields are made from. Two devices'
 * documents of one content differ in their bytes (each merge encodes anew),
 * and replacing one by the other would make the device write the echo of
 * each edit it pushed, and start its next edit as a new Yjs client.
 */
function sameDraft(a: Doc, b: Doc): boolean {
  const { ydoc: _a, ...fieldsOfA } = a as Record<string, unknown>;
  const { ydoc: _b, ...fieldsOfB } = b as Record<string, unknown>;
  return deepEqual(fieldsOfA, fieldsOfB);
}
