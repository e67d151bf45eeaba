import { PouroverError, type WireDocument } from '@pourover/protocol';
import { isoTime } from '@pourover/schemas';
import { z } from 'zod';
import { hooksOf, specOf, type ServerApp } from '../app/server-app.ts';
import type { Increment } from '../store/store.ts';

/**
 * Refuses a document that does not fit `schema`; returns it unchanged
 * otherwise. For a document a server hook made from ones that passed
 * `validDocument`.
 */
export function validFields(schema: z.ZodObject, collection: string, document: WireDocument, where: string): WireDocument {
  const { _deleted, ...fields } = document;
  const result = schema.safeParse(fields);
  if (!result.success) {
    throw new PouroverError('BAD_INPUT', `${where}: not a valid ${collection} document: ${z.prettifyError(result.error)}`);
  }
  return document;
}

/**
 * Refuses a document that does not fit its collection's schema, or the
 * app's further check of it (its hook's `check`); returns it unchanged
 * otherwise.
 */
export function validDocument(app: ServerApp, collection: string, document: WireDocument, where: string): WireDocument {
  validFields(specOf(app, collection).schema, collection, document, where);
  hooksOf(app, collection)?.check?.(document, where);
  return document;
}

/** Whether `field` is a required integer field of `schema`, other than the id. */
function isIntegerField(schema: z.ZodObject, field: string): boolean {
  const declared = schema.shape[field];
  return field !== 'id' && declared instanceof z.ZodNumber && declared.isInt;
}

function incrementProblem(schema: z.ZodObject, collection: string, increment: Increment): string | undefined {
  if (!isIntegerField(schema, increment.field)) return `field ${increment.field} is not an integer field of ${collection}`;
  if (increment.atMost !== undefined && !isIntegerField(schema, increment.atMost))
    return `atMost ${increment.atMost} is not an integer field of ${collection}`;
  if (increment.before !== undefined && schema.shape[increment.before] !== isoTime) {
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
export function validIncrement(app: ServerApp, collection: string, increment: Increment, where: string): Increment {
  const problem = incrementProblem(specOf(app, collection).schema, collection, increment);
  if (problem) throw new PouroverError('BAD_INPUT', `${where}: ${problem}`);
  return increment;
}
