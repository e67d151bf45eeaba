import { PouroverError, type WireDocument } from '@pourover/protocol';
import { collections, isDraftUpdate, order, type CollectionName } from '@pourover/schemas';
import { z } from 'zod';

/**
 * Refuses a document that does not fit its collection's schema, or an order
 * whose `ydoc` is no Yjs update (the server merges and reads it); returns it
 * unchanged otherwise.
 */
export function validDocument(collection: CollectionName, document: WireDocument, where: string): WireDocument {
  const { _deleted, ...fields } = document;
  const { schema } = collections[collection];
  const result = schema.safeParse(fields);
  if (!result.success) {
    throw new PouroverError('BAD_INPUT', `${where}: not a valid ${collection} document: ${z.prettifyError(result.error)}`);
  }
  if (schema === order && !isDraftUpdate(String(fields['ydoc']))) {
    throw new PouroverError('BAD_INPUT', `${where}: ydoc is not a Yjs update of a draft (base64 of Y.encodeStateAsUpdate)`);
  }
  return document;
}
