import type { DocumentMigration } from './app-definition.ts';
import type { CollectionName } from './registry.ts';

/** Version 0 of an order (or a slot) is valid in version 1 as it is: the fields version 1 adds are optional. */
const unchanged: DocumentMigration = (document) => document;

/**
 * Each collection's document schema, versioned: a change of shape bumps
 * the version and adds the migration from the one before (the schema
 * history test fails until both are done). Devices run the migrations when
 * they open their database, and keep their unsent writes through them.
 *
 * Orders:
 * - 1 (2026-12-04): placed orders record each line's `unitCents` and the
 *   `paymentToken` they are charged with; a draft the server would not place
 *   carries the `refusal`.
 *
 * Availability:
 * - 1 (2026-12-05): a slot generated from the weekly schedule names its
 *   row (`scheduleId`, optional: hand-made slots have none).
 */
export const schemaVersions: { readonly [K in CollectionName]: number } = {
  user: 0,
  draftOrders: 1,
  placedOrders: 1,
  processedOrders: 1,
  availability: 1,
  catalog: 0,
};

/** `migrations[collection][v]` makes a document of version v − 1 into one of version v. */
export const migrations: { readonly [K in CollectionName]: Readonly<Record<number, DocumentMigration>> } = {
  user: {},
  draftOrders: { 1: unchanged },
  placedOrders: { 1: unchanged },
  processedOrders: { 1: unchanged },
  availability: { 1: unchanged },
  catalog: {},
};
