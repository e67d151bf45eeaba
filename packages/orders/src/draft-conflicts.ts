import { derivedFields, mergeDrafts } from '@pourover/schemas';
import type { RxConflictHandler } from 'rxdb/plugins/core';
import { deepEqual } from 'rxdb/plugins/utils';

type Doc = Record<string, unknown> & { id: string; _deleted: boolean };

/**
 * The device's side of the draft merge. The server merges drafts itself and
 * only reports a conflict when the draft is gone (placed, or discarded): then
 * its state stands, and any late edits were already kept by the server as a
 * new draft. Otherwise both Yjs documents merge.
 *
 * The server's tombstone of a placed draft is written only once the placed
 * order is on the device (`arrived`): a conflict's answer bypasses the hold
 * back that changes from the server get, and written at once it would leave
 * the order on no list until the placed order synced.
 */
export function draftConflictHandler(options: {
  priceOf: (itemId: string) => number | undefined;
  arrived: (tombstone: Doc) => Promise<void>;
}): RxConflictHandler<Record<string, unknown>> {
  return {
    isEqual: (a, b) => deepEqual(a, b),
    resolve: async ({ realMasterState, newDocumentState }) => {
      const master = realMasterState as Doc;
      const mine = newDocumentState as Doc;
      if (master._deleted) {
        await options.arrived(master);
        return master;
      }
      if (mine._deleted) return master;
      const ydoc = mergeDrafts(String(master['ydoc']), String(mine['ydoc']));
      return { ...master, ...derivedFields(ydoc, options.priceOf), ydoc, status: mine['status'] === 'placing' ? 'placing' : master['status'] } as never;
    },
  };
}
