import { draftMerge } from './draft-merge.ts';
import type { RxConflictHandler } from 'rxdb/plugins/core';

type Doc = Record<string, unknown> & { id: string; _deleted: boolean };

/**
 * The device's side of the draft merge (`draftMerge`). The server merges
 * drafts itself and only reports a conflict when the draft is gone (placed,
 * or discarded), or when the device pushed over a state older than the
 * server's: then both Yjs documents merge.
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
  const merge = draftMerge(options.priceOf);
  return {
    isEqual: merge.isEqual,
    resolve: async (input, context) => {
      if (input.realMasterState._deleted) await options.arrived(input.realMasterState as Doc);
      return merge.resolve(input, context);
    },
  };
}
