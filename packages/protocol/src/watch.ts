import { z } from 'zod';
import { collectionName, wireDocument } from './sync.ts';

/** A document seen by a watch, with the replica it lives in. */
export const watchedDocument = z.object({ replica: z.string(), document: wireDocument });
export type WatchedDocument = z.infer<typeof watchedDocument>;

/**
 * A watch of one collection across every replica the caller may read. It
 * sends the initial state (`initial`, in pages), then `initialized` with a
 * resume marker, then each commit's `change` in commit order; a commit's
 * documents arrive in one event. Resumed from a marker, it sends only the
 * changes after it (tracked ids are resume markers).
 */
export const watchEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('initial'), documents: z.array(watchedDocument) }),
  z.object({ kind: z.literal('initialized'), resumeMarker: z.string() }),
  z.object({ kind: z.literal('change'), documents: z.array(watchedDocument), resumeMarker: z.string() }),
]);
export type WatchEvent = z.infer<typeof watchEvent>;

export const watchInput = z
  .object({
    collection: collectionName,
    /** A resume marker, or `s<n>` (an initial-state page: start over from the initial state). */
    lastEventId: z
      .string()
      .regex(/^s?\d{1,15}$/, 'not a resume marker')
      .nullish(),
  })
  .strict();

const leaseName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a lease name is lower-case letters, digits and -');

export const leaseRequest = z
  .object({
    name: leaseName,
    holder: z.string().min(1).max(128),
    ttlMs: z.number().int().min(1_000).max(600_000),
  })
  .strict();

/** Asks who holds a named lease, taking nothing: what the store's dashboards show of its workers. */
export const leaseQuery = z.object({ name: leaseName }).strict();
