import { replicaName } from '@pourover/schemas';
import { z } from 'zod';

/**
 * Bump on any change to the wire format (the schema hash test fails until you do).
 * 1 (2026-11-23): first version.
 * 2 (2026-11-23): `get` by ids; a batch may name its replica (the store's batches).
 * 3 (2026-11-23): `watch` across replicas, `lease`, a batch `deadline`, `get` of a named replica.
 * 4 (2026-11-23): guarded `increment` operations in batches.
 * 5 (2026-11-23): syncgroup specs an admin reads and replaces by version; device keys and refresh proofs.
 * 6 (2026-11-23): pulls, pushes and stream changes carry change-log positions (`seqs`).
 * 7 (2026-11-23): a named replica must be a replica's name; documents nest at most MAX_DEPTH levels.
 * 8 (2026-12-04): live streams open with a single-use stream ticket (`auth.streamTicket`) in their connection parameters, never a token.
 * 9 (2026-12-04): the `UNAVAILABLE` error code (HTTP 503 with Retry-After), and the closed code set as a schema.
 * 10 (2026-12-05): store epochs: checkpoints, stream positions and `ready` name the epoch; a pull from another epoch is `reset`.
 *    Requests name the client's protocol (PROTOCOL_HEADER) and app build; `UPDATE_NEEDED` (426) for a protocol no longer served.
 * 11 (2026-12-05): a collection is named by any app's name for it, no longer one of a fixed list; the server checks it against its app.
 * 12 (2026-12-05): `leaseHolder`: the store reads who holds a lease, and until when, without taking it (additive).
 * 13 (2026-12-05): a named replica may be a driver's (`<store>:drivers:<id>`). A widening: v11 and v12 clients are served as before.
 */
export const PROTOCOL_VERSION = 13;

/** The request header naming the protocol version a client speaks; a client without it is served as before negotiation. */
export const PROTOCOL_HEADER = 'x-pourover-protocol';
/** The request header naming the client app's build, for the server's logs. */
export const APP_BUILD_HEADER = 'x-pourover-app';

/** The largest number of documents in one pull page, push or batch. */
export const MAX_ROWS = 1_000;

/** The most calls one HTTP request may batch (tRPC's `?batch=1`); each call is authorized and rate-limited on its own. */
export const MAX_BATCH_CALLS = 100;

/** A collection's name as a request gives it; the server refuses, as bad input, a name its app does not define. */
export const collectionName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,63}$/, 'a collection name: a letter, then letters and digits');
/** A collection's name, as the app defines it. */
export type CollectionName = z.infer<typeof collectionName>;

/** The name of one history of a server's data; a restore gives a new one (see docs/deploy.md). */
export const epoch = z.string().regex(/^[0-9a-f]{16}$/, 'not a store epoch');

/**
 * A position in a replica's change log: every change with a greater `seq` comes after it, in the store's `epoch`
 * (a checkpoint without one, from a device older than epochs, is taken as the current epoch's).
 */
export const checkpoint = z.object({ seq: z.number().int().min(0), epoch: epoch.optional() }).strict();
export type Checkpoint = z.infer<typeof checkpoint>;

/** How deep a document may nest (the document itself is level 1); documents here are shallow. */
export const MAX_DEPTH = 64;

/** Whether `value` nests at most `levels` levels; stops looking past them, so any depth is safe to check. */
function nestsWithin(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (levels === 0) return false;
  return Object.values(value).every((inner) => nestsWithin(inner, levels - 1));
}

/**
 * A document as it travels: its fields plus `_deleted`. The fields are
 * checked against the collection's schema by whoever stores the document;
 * the depth is checked here, since states that are only compared (an
 * assumed master state, a precondition) are never checked against a schema.
 */
export const wireDocument = z
  .looseObject({ id: z.string().max(36), _deleted: z.boolean() })
  .refine((document) => nestsWithin(document, MAX_DEPTH), `a document nests at most ${MAX_DEPTH} levels`);
export type WireDocument = z.infer<typeof wireDocument>;

export const pullRequest = z
  .object({
    collection: collectionName,
    checkpoint: checkpoint.nullable(),
    limit: z.number().int().min(1).max(MAX_ROWS),
  })
  .strict();
export type PullRequest = z.infer<typeof pullRequest>;

/**
 * Where each document's state stands in its replica's change log (`seqs[i]`
 * for `documents[i]`), so a device can tell an older state from a newer one.
 */
const seqs = z.array(z.number().int().min(0));

/**
 * `reset`: the request's checkpoint named another epoch (the server's data was restored), so this page starts the
 * change log from its beginning, and the device should push again what it wrote, since the server may have lost it.
 */
export const pullResponse = z.object({
  documents: z.array(wireDocument),
  seqs,
  checkpoint: checkpoint.nullable(),
  reset: z.literal(true).optional(),
});
export type PullResponse = z.infer<typeof pullResponse>;

/** One document write: the state the device last saw from the server (none for a new document), and the state it wants. */
export const pushRow = z
  .object({
    assumedMasterState: wireDocument.nullish(),
    newDocumentState: wireDocument,
  })
  .strict();
export type PushRow = z.infer<typeof pushRow>;

export const pushRequest = z.object({ collection: collectionName, rows: z.array(pushRow).min(1).max(MAX_ROWS) }).strict();
export type PushRequest = z.infer<typeof pushRequest>;

/**
 * The server's current state of every document whose push met a different
 * state than assumed, and for each row (`seqs[i]` for `rows[i]`) where its
 * document now stands in the change log: any state from before is stale.
 */
export const pushResponse = z.object({ conflicts: z.array(wireDocument), seqs });
export type PushResponse = z.infer<typeof pushResponse>;

/** The server's current state of some documents (tombstones included); absent ones are left out. */
export const getRequest = z
  .object({
    collection: collectionName,
    ids: z.array(z.string().max(36)).min(1).max(MAX_ROWS),
    /** A replica other than the caller's own (the store reading a shopper's); checked against its syncgroups. */
    replica: replicaName.optional(),
  })
  .strict();
export type GetRequest = z.infer<typeof getRequest>;
