import { PouroverError, type WireDocument } from '@pourover/protocol';
import { collections, type CollectionName } from '@pourover/schemas';
import { z } from 'zod';

/** Refuses a document that does not fit its collection's schema; returns it unchanged otherwise. */
export function validDocument(collection: CollectionName, document: WireDocument, where: string): WireDocument {
  const { _deleted, ...fields } = document;
  const result = collections[collection].schema.safeParse(fields);
  if (!result.success) {
    throw new PouroverError('BAD_INPUT', `${where}: not a valid ${collection} document: ${z.prettifyError(result.error)}`);
  }
  return document;
}
