import type { WireDocument } from '@pourover/protocol';
import type { BulkWriteRow, RxCollection, RxDocumentData } from 'rxdb/plugins/core';
import { createRevision, deepEqual, now } from 'rxdb/plugins/utils';

type Doc = Record<string, unknown>;
type Stored = RxDocumentData<Doc>;

/**
 * Writes rows into the collection's storage as they are. RxDB's wrapper of
 * the storage gives every inserted document a `_meta` of its own, which
 * would drop what replications keep there; the write still waits on the
 * database's lock, as the wrapper's does.
 */
export function writeStored(collection: RxCollection<Doc>, rows: BulkWriteRow<Doc>[], context: string) {
  const storage = collection.storageInstance.originalStorageInstance;
  return collection.database.lockedRun(() => storage.bulkWrite(rows, context));
}

/** A state as the storage keeps it, as the next revision after `previous`, with `meta` beside its write time. */
export function storedState(
  document: WireDocument,
  previous: Stored | undefined,
  token: string,
  meta: (rev: string) => Record<string, unknown> = () => ({}),
): Stored {
  const rev = createRevision(token, previous);
  return { ...document, _meta: { lwt: now(), ...meta(rev) }, _rev: rev, _attachments: {} };
}

/** Whether the device holds exactly `document`'s fields and deletion. */
export function sameState(held: Stored, document: WireDocument): boolean {
  return deepEqual(wireState(held), document);
}

/** A stored document as it travels: without the storage's own fields. */
export function wireState(held: Stored): WireDocument {
  const { _meta, _rev, _attachments, ...fields } = held;
  return fields as WireDocument;
}
