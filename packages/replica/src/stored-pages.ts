import { getChangedDocumentsSince, type RxDocumentData, type RxStorageInstance } from 'rxdb/plugins/core';

const PAGE = 1_000;

/** Every document a storage instance holds, deleted ones included, a page at a time in the order they were written. */
export async function* storedPages<T>(instance: RxStorageInstance<T, unknown, unknown>): AsyncGenerator<RxDocumentData<T>[]> {
  let checkpoint: unknown;
  for (;;) {
    const page = await getChangedDocumentsSince(instance, PAGE, checkpoint as never);
    yield page.documents;
    if (page.documents.length < PAGE) return;
    checkpoint = page.checkpoint;
  }
}
