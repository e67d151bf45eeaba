import type { DeviceApp, Replica } from '@pourover/replica';
import { rxSchemaFor } from '@pourover/schemas';
import type { RxConflictHandler, WithDeleted } from 'rxdb/plugins/core';
import { deepEqual } from 'rxdb/plugins/utils';
import { lists, listCollections } from './list.ts';
import { listFields, mergeLists } from './list-doc.ts';

type Doc = WithDeleted<Record<string, unknown>>;

/** Two states of a list show the same when every field but the Yjs bytes is equal (each merge encodes anew). */
function sameList(a: Doc, b: Doc): boolean {
  const { ydoc: _a, ...fieldsOfA } = a as Record<string, unknown>;
  const { ydoc: _b, ...fieldsOfB } = b as Record<string, unknown>;
  return deepEqual(fieldsOfA, fieldsOfB);
}

/** The device's side of the list merge, as the server merges: both Yjs documents; a deleted list stays deleted. */
export const listMerge: RxConflictHandler<Record<string, unknown>> = {
  isEqual: sameList,
  resolve: async ({ realMasterState, newDocumentState }) => {
    if (realMasterState._deleted || newDocumentState._deleted) return realMasterState;
    const ydoc = mergeLists(String(realMasterState['ydoc']), String(newDocumentState['ydoc']));
    return { ...realMasterState, ...listFields(ydoc), ydoc };
  },
};

/** A replica of the shared list's collections. */
export type ListReplica = Replica<'lists'>;

/** The shared list as a device's replica runs it. */
export const sharedListDeviceApp: DeviceApp<'lists'> = {
  collections: listCollections,
  storage: { lists: { schema: rxSchemaFor(lists, 0), migrations: {} } },
  merges: { lists: () => listMerge },
};
