import type { DocumentMigration } from './app-definition.ts';
import type { CollectionName } from './registry.ts';

/** A document of one version is valid in the next as it is: the fields each version adds are optional. */
const unchanged: DocumentMigration = (document) => document;

/**
 * Each collection's document schema, versioned: a change of shape bumps
 * the version and adds the migration from the one before (the schema
 * history test fails until both are done), then `npm run generate:rx-schemas`
 * stores the new RxDB schema. Devices run the migrations when they open their
 * database, and keep their unsent writes through them.
 *
 * Orders:
 * - 1 (2026-12-04): placed orders record each line's `unitCents` and the
 *   `paymentToken` they are charged with; a draft the server would not place
 *   carries the `refusal`.
 * - 2 (2026-12-05): processed orders go on through their fulfilment (new
 *   statuses) and record their `steps`, a cancellation's reason and who
 *   asked, the driver, and the refund's time; all optional.
 * - 3 (2026-12-05): an order may await the owner's approval (a new status)
 *   until `approveBy` (optional).
 *
 * Availability:
 * - 1 (2026-12-05): a slot generated from the weekly schedule names its
 *   row (`scheduleId`, optional: hand-made slots have none).
 */
export const schemaVersions: { readonly [K in CollectionName]: number } = {
  user: 0,
  draftOrders: 3,
  placedOrders: 3,
  processedOrders: 3,
  orderRequests: 0,
  deliveries: 0,
  availability: 1,
  catalog: 0,
};

/** `migrations[collection][v]` makes a document of version v − 1 into one of version v. */
export const migrations: { readonly [K in CollectionName]: Readonly<Record<number, DocumentMigration>> } = {
  user: {},
  draftOrders: { 1: unchanged, 2: unchanged, 3: unchanged },
  placedOrders: { 1: unchanged, 2: unchanged, 3: unchanged },
  processedOrders: { 1: unchanged, 2: unchanged, 3: unchanged },
  orderRequests: {},
  deliveries: {},
  availability: { 1: unchanged },
  catalog: {},
};
