import { derivedFields, mergeDrafts } from '@pourover/schemas';
import type { RxConflictHandler } from 'rxdb/plugins/core';
import { deepEqual } from 'rxdb/plugins/utils';

type Doc = Record<string, unknown> & { _deleted: boolean };

/**
 * The device's side of the draft merge. The server merges drafts itself and
 * only reports a conflict when the draft is gone (placed, or discarded): then
 * its state stands, and any late edits were already kept by the server as a
 * new draft. Otherwise both Yjs documents merge.
 */
export function draftConflictHandler(priceOf: (itemId: string) => number | undefined): RxConflictHandler<Record<string, unknown>> {
  return {
    isEqual: (a, b) => deepEqual(a, b),
    resolve: async ({ realMasterState, newDocumentState }) => {
      const master = realMasterState as Doc;
      const mine = newDocumentState as Doc;
      if (master._deleted || mine._deleted) return master;
      const ydoc = mergeDrafts(String(master['ydoc']), String(mine['ydoc']));
      return { ...master, ...derivedFields(ydoc, priceOf), ydoc, status: mine['status'] === 'placing' ? 'placing' : master['status'] } as never;
    },
  };
}
