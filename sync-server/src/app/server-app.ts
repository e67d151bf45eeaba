import { PouroverError, type PushRow, type WireDocument } from '@pourover/protocol';
import type { AppCollections, Principal } from '@pourover/schemas';
import type { IdentityStore } from '../auth/identity-store.ts';
import type { ImageStore } from '../images/image-store.ts';
import type { Store, Write } from '../store/store.ts';

/** The writes a push hook makes of a push, committed together, and the states that go back to the device as conflicts. */
export type PushPlan = { writes: Write[]; conflicts: WireDocument[] };

/** What a push hook is given: the store to read, the replica pushed to, the rows as validated, and the server's time. */
export type PushInput = { store: Store; replica: string; collection: string; rows: readonly PushRow[]; now: Date };

/**
 * What reviewing one write of a batch is given: the state the write leaves
 * (its precondition's; `null` for `absent`, `undefined` when it names none),
 * the document as written, who writes it, and the server's time. The store
 * checks the precondition inside the batch's transaction, so `before` is
 * the current state whenever the batch applies.
 */
export type BatchWriteInput = {
  store: Store;
  replica: string;
  collection: string;
  before: WireDocument | null | undefined;
  document: WireDocument;
  principal: Principal;
  now: Date;
};

/** The document to commit in the write's place, and writes the server adds to the batch (a counter given back, say). */
export type BatchWriteReview = { document: WireDocument; writes?: Write[] };

/** The server-side rules an app adds to one collection. */
export type CollectionHooks = {
  /** Refuses (with a `BAD_INPUT` error) a document that fits its schema but not the app's further rules; run on every pushed or batched document. */
  check?: (document: WireDocument, where: string) => void;
  /**
   * Plans a push from the server's current state (a merge, fields the server
   * derives, a move into another collection). The engine commits the plan in
   * one transaction, and plans again if another writer got in between. A
   * collection with a planner is written by push only, never by a batch.
   */
  planPush?: (input: PushInput) => Promise<PushPlan>;
  /**
   * Reviews each write of a batch to the collection against the state it
   * leaves (a state machine's allowed moves, say): refuses one with a
   * `BAD_INPUT` or `FORBIDDEN` error, or returns what to commit, with the
   * fields the server owns set by the server. A collection with a review is
   * written by batch only, never by a push, whatever its syncgroup grants.
   */
  reviewBatchWrite?: (input: BatchWriteInput) => Promise<BatchWriteReview>;
};

/** What an app's demo seed may write to: the documents, the accounts, the images. */
export type DemoParts = { store: Store; identity: IdentityStore; images: ImageStore; now: Date };

/** An app as the server runs it: its collections, and its server-side hooks by collection. */
export type ServerApp = {
  collections: AppCollections;
  hooks: { readonly [collection: string]: CollectionHooks | undefined };
  /** The documents a new account starts with in its own replica (a profile, say). */
  onSignUp?: (user: { id: string; name: string; email: string }) => Write[];
  /** The collection whose documents name uploaded images: whoever may write it may upload one. Without it, no uploads. */
  imagesFor?: string;
  /** What a server started with `seed` adds (safe on every start), and the user its dev sign-in signs devices in as. */
  demo?: { user: string; seed(parts: DemoParts): Promise<void> };
};

/** The spec of a collection the app defines; a name it does not define (`constructor` included) is bad input. */
export function specOf(app: ServerApp, collection: string) {
  const spec = Object.hasOwn(app.collections, collection) ? app.collections[collection] : undefined;
  if (!spec) throw new PouroverError('BAD_INPUT', `${JSON.stringify(collection.slice(0, 64))} is no collection of this app`);
  return spec;
}

/** The app's hooks of a collection, if it gives any. */
export function hooksOf(app: ServerApp, collection: string): CollectionHooks | undefined {
  return Object.hasOwn(app.hooks, collection) ? app.hooks[collection] : undefined;
}
