import { PouroverError, type WireDocument } from '@pourover/protocol';
import { collections, isDraftUpdate, isoTime, order, type CollectionName } from '@pourover/schemas';
import { z } from 'zod';
import type { Increment } from '../store/store.ts';

/**
 * Refuses a document that does not fit its collection's schema; returns it
 * unchanged otherwise. For a document whose `ydoc` the server made from
 * updates that passed `validDocument`.
 */
export function validFields(collection: CollectionName, document: WireDocument, where: string): WireDocument {
  const { _deleted, ...fields } = document;
  const result = collections[collection].schema.safeParse(fields);
  if (!result.success) {
    throw new PouroverError('BAD_INPUT', `${where}: not a valid ${collection} document: ${z.prettifyError(result.error)}`);
  }
  return document;
}

/**
 * Refuses a document that does not fit its collection's schema, or an order
 * whose `ydoc` is no Yjs update (the server merges and reads it); returns it
 * unchanged otherwise.
 */
export function validDocument(collection: CollectionName, document: WireDocument, where: string): WireDocument {
  validFields(collection, document, where);
  if (collections[collection].schema === order && !isDraftUpdate(String(document['ydoc']))) {
    throw new PouroverError('BAD_INPUT', `${where}: ydoc is not a Yjs update of a draft (base64 of Y.encodeStateAsUpdate)`);
  }
  return document;
}

/** Whether `field` is a required integer field of `collection`'s schema, other than the id. */
function isIntegerField(collection: CollectionName, field: string): boolean {
  const declared = collections[collection].schema.shape[field];
  return field !== 'id' && declared instanceof z.ZodNumber && declared.isInt;
}

function incrementProblem(collection: CollectionName, increment: Increment): string | undefined {
  if (!isIntegerField(collection, increment.field)) return `field ${increment.field} is not an integer field of ${collection}`;
  if (increment.atMost !== undefined && !isIntegerField(collection, increment.atMost))
    return `atMost ${increment.atMost} is not an integer field of ${collection}`;
  if (increment.before !== undefined && collections[collection].schema.shape[increment.before] !== isoTime) {
    return `before ${increment.before} is not a time field of ${collection}`;
  }
  return undefined;
}

/**
 * Refuses an increment its collection's schema gives no meaning: it counts
 * an integer field, bounded by another (`atMost`), until a time field
 * (`before`). The store checks the incremented document against the schema
 * again, inside its transaction.
 */
export function validIncrement(collection: CollectionName, increment: Increment, where: string): Increment {
  const problem = incrementProblem(collection, increment);
  if (problem) throw new PouroverError('BAD_INPUT', `${where}: ${problem}`);
  return increment;
}
