import type { ConflictRule } from '@pourover/schemas';
import type { RxConflictHandler, WithDeleted } from 'rxdb/plugins/core';
import { deepEqual } from 'rxdb/plugins/utils';

type Doc = WithDeleted<Record<string, unknown>>;

/** The server's state replaces the device's. For collections only the server writes. */
export const serverWins: RxConflictHandler<Record<string, unknown>> = {
  isEqual: (a, b) => deepEqual(a, b),
  resolve: async ({ realMasterState }) => realMasterState,
};

/**
 * Per-field last writer wins, in the order the server accepts writes: the
 * fields this device changed since it last saw the server's state are laid
 * over the server's current state, and pushed again. A field changed on two
 * devices ends with the value of the device whose push the server took last.
 */
export const fieldLastWriterWins: RxConflictHandler<Record<string, unknown>> = {
  isEqual: (a, b) => deepEqual(a, b),
  resolve: async ({ assumedMasterState, realMasterState, newDocumentState }) => {
    const merged: Doc = { ...realMasterState };
    for (const key of new Set([...Object.keys(newDocumentState), ...Object.keys(assumedMasterState ?? {})])) {
      const mine = (newDocumentState as Record<string, unknown>)[key];
      if (assumedMasterState && deepEqual(mine, (assumedMasterState as Record<string, unknown>)[key])) continue;
      if (mine === undefined) delete (merged as Record<string, unknown>)[key];
      else (merged as Record<string, unknown>)[key] = mine;
    }
    return merged;
  },
};

/** The handler of each rule the replica knows by itself; a `yjs-merge` collection's comes from its app (`DeviceApp.merges`). */
export const builtInRules: Partial<Record<ConflictRule, RxConflictHandler<Record<string, unknown>>>> = {
  'server-wins': serverWins,
  'field-lww': fieldLastWriterWins,
};
