import type { WireDocument } from '@pourover/protocol';
import type { z } from 'zod';

/** A document as the store holds it: its latest state and the change that wrote it. */
export type StoredDocument = {
  replica: string;
  collection: string;
  document: WireDocument;
  /** Position of the document's latest change in its replica's change log. */
  seq: number;
  /** Server time of that change. */
  updatedAt: string;
  /** The store-wide number of the commit that wrote it; one commit's documents share it. */
  commit: number;
};

/**
 * What must hold of a document's current state for a write to apply.
 * - `assumed`: a push; the device's last seen state must still be current.
 * - `absent`: no live document (never written, or a tombstone).
 * - `equals`: the current state equals the given one.
 * - `first`: the document was never written; if it was, in any state, the
 *   write is left out without a conflict (a retried push makes a document
 *   once, however it was changed since).
 */
export type Expectation =
  | { kind: 'assumed'; state: WireDocument | null }
  | { kind: 'absent' }
  | { kind: 'equals'; state: WireDocument }
  | { kind: 'first' }
  | { kind: 'none' };

/** A guarded counter update, applied to the document's current state inside the commit. */
export type Increment = { id: string; field: string; by: number; atMost?: string; before?: string };

/** One document write; `replica` defaults to the commit's replica (a store batch also writes the store's own). */
export type Write =
  | { collection: string; document: WireDocument; expect: Expectation; replica?: string }
  /** `schema`: what the incremented document must still fit (a count below zero or past its maximum is the limit). */
  | { collection: string; increment: Increment; schema: z.ZodObject; replica?: string };

/**
 * `each`: every write stands alone; those whose expectation fails are
 * returned as conflicts and the rest apply (a push).
 * `all`: every expectation must hold or nothing applies (a batch).
 * In both modes a refused increment refuses the whole commit: a counter
 * guards something (a slot's places) that the other writes depend on.
 */
export type CommitMode = 'each' | 'all';

export type CommitResult =
  | { ok: true; seq: number; changed: boolean; conflicts: StoredDocument[] }
  | { ok: false; reason: 'precondition'; failedIndex: number; current: StoredDocument | null; detail?: IncrementRefusal }
  | { ok: false; reason: 'deadline' };

/** Why a guarded increment did not apply: no live document, the limit, or the time field passed. */
export type IncrementRefusal = 'absent' | 'limit' | 'too-late';

export type CommitOptions = {
  /** Commit only if the server's clock is still before this instant (ISO-8601). */
  deadline?: string;
};

export type Lease = { granted: boolean; holder: string; expiresAt: string };

/**
 * How far a restore moves every replica's head and the commit number: past any position a device or watcher may hold
 * from before the restore (one without an epoch included), so no change made after it is taken as one already seen.
 */
export const RESTORE_SEQ_GAP = 1_000_000_000;

/**
 * Whether a part of the server can serve now, and if not, why (for `/readyz`); `fatal` when it never will again
 * without a restart (a SQLite store whose disk refused a sync).
 */
export type Readiness = { ready: true } | { ready: false; reason: string; fatal?: true };

/**
 * A server's durable home for replicas. Every implementation passes the
 * store conformance suite; all writes of one commit land in one transaction.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * The name of this history of the data. A restore renews it: sequence numbers given out before may then be given
   * again, so a device holding another epoch's checkpoints pulls from scratch. SQLite is restored with its server
   * stopped; a PostgreSQL store takes a renewal made while it runs from the announcement `renewEpoch` sends (or when
   * it listens again after missing it), and wakes the store replica's readers (`onCommit`), no query per read.
   */
  readonly epoch: string;
  /**
   * The commit number the current epoch began at (0 for data never restored). A restore moves the commit number
   * `RESTORE_SEQ_GAP` ahead, so every watch marker of an older epoch is below it, and every one of this epoch is not:
   * markers carry no epoch of their own.
   */
  readonly epochStart: number;
  /** Documents of one collection changed after `afterSeq`, in change order. */
  pull(replica: string, collection: string, afterSeq: number, limit: number): Promise<StoredDocument[]>;
  /** Documents of every collection of a replica changed after `afterSeq`, in change order. */
  changesSince(replica: string, afterSeq: number, limit: number): Promise<StoredDocument[]>;
  /** The position of a replica's latest change (0 for none). */
  head(replica: string): Promise<number>;
  /** The position of the latest change to one collection of a replica (0 for none). */
  collectionHead(replica: string, collection: string): Promise<number>;
  get(replica: string, collection: string, id: string): Promise<StoredDocument | null>;
  /** Several documents of one collection, in the order of `ids` (null for one never written); one query on PostgreSQL. */
  getMany(replica: string, collection: string, ids: readonly string[]): Promise<(StoredDocument | null)[]>;
  /** Where each document stands in the replica's change log (0 for one never written), in the order of `ids`; no body is read. */
  seqs(replica: string, collection: string, ids: readonly string[]): Promise<number[]>;
  commit(replica: string, writes: readonly Write[], mode: CommitMode, options?: CommitOptions): Promise<CommitResult>;
  /** Every live document of a collection across replicas, and the commit number they are current as of. */
  watchSnapshot(collection: string): Promise<{ documents: StoredDocument[]; commit: number }>;
  /** Documents of a collection across replicas written by commits after `afterCommit`, in commit order. */
  watchChanges(collection: string, afterCommit: number, limit: number): Promise<StoredDocument[]>;
  /** Takes or renews a named lease for `holder` unless another holder's lease is still running. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** Who last took a named lease and until when (past for one run out), or null for one never taken or released; takes nothing. */
  readLease(name: string): Promise<Omit<Lease, 'granted'> | null>;
  /**
   * Calls `listener` with the name of each replica a commit changed, after the commit. A store whose listeners hear
   * every commit it makes in change order (a SQLite store; not another connection's commits) also gives `written`:
   * the rows the commit wrote to that replica, in change order, so a reader that heard every commit since its
   * position need not read them back. The rows are shared by every listener: none may change them.
   */
  onCommit(listener: (replica: string, written?: readonly StoredDocument[]) => void): () => void;
  /** Whether the store can serve now: a store shared by several nodes is not while it may miss their commits. */
  readiness(): Readiness;
  close(): Promise<void>;
}
