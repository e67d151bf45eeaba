import { isoTime, replicaName } from '@pourover/schemas';
import { z } from 'zod';
import { collectionName, MAX_ROWS, wireDocument } from './sync.ts';

/**
 * What must hold of a document for a batch to apply: it is absent (or a
 * tombstone), or its current state equals the given one.
 */
export const precondition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('absent') }).strict(),
  z.object({ kind: z.literal('equals'), state: wireDocument }).strict(),
]);
export type Precondition = z.infer<typeof precondition>;

const fieldName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,63}$/, 'a field name');

/** One write of a batch: the document's new state (a tombstone deletes) and an optional precondition. */
export const writeOperation = z
  .object({
    collection: collectionName,
    precondition: precondition.optional(),
    write: wireDocument,
  })
  .strict();

/**
 * A guarded counter: adds `by` to a number field of a live document, only
 * while the result stays at most the document's `atMost` field and the
 * server's clock is before its `before` field (places left under a capacity,
 * before a cutoff). Read and checked inside the batch's transaction, so concurrent
 * batches never lose an update nor need to re-read.
 */
export const incrementOperation = z
  .object({
    collection: collectionName,
    increment: z
      .object({
        id: z.string().max(36),
        field: fieldName,
        by: z.number().int().min(-1_000).max(1_000),
        atMost: fieldName.optional(),
        before: fieldName.optional(),
      })
      .strict(),
  })
  .strict();

export const batchOperation = z.union([writeOperation, incrementOperation]);
export type BatchOperation = z.infer<typeof batchOperation>;

/**
 * A batch over the collections of one replica. A device's batch always
 * addresses its own replica; only the store names another (the shopper
 * replica whose documents its workers process).
 */
export const batchRequest = z
  .object({
    replica: replicaName.optional(),
    operations: z.array(batchOperation).min(1).max(MAX_ROWS),
    /** Apply only if the server's clock is still before this instant (a cutoff, say). */
    deadline: isoTime.optional(),
  })
  .strict();
export type BatchRequest = z.infer<typeof batchRequest>;

/** A batch either applied whole, or failed on a precondition and changed nothing. */
export type BatchResult =
  | { ok: true; seq: number }
  | {
      ok: false;
      reason: 'precondition';
      failed: { index: number; collection: string; id: string; current: WireDocumentOrNull; detail?: 'absent' | 'limit' | 'too-late' };
    }
  | { ok: false; reason: 'deadline' };
type WireDocumentOrNull = z.infer<typeof wireDocument> | null;
