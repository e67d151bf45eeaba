import { checkpoint as checkpointSchema, type WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { addRxPlugin, createRxDatabase, type RxCollection, type RxConflictHandler, type RxDatabase } from 'rxdb/plugins/core';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { deepEqual } from 'rxdb/plugins/utils';
import { LegacyReplicationMeta } from '../src/legacy-replication-meta.ts';
import { LiveStream } from '../src/live-stream.ts';
import { serverPull } from '../src/pull-fresh.ts';
import { SeqBook } from '../src/seq-book.ts';
import { wireState } from '../src/stored-states.ts';
import { TwoWayReplication } from '../src/two-way-replication.ts';
import { UnsentChanges } from '../src/unsent-changes.ts';
import type { MemoryServer } from './memory-server.ts';

addRxPlugin(RxDBLeaderElectionPlugin);
addRxPlugin(RxDBLocalDocumentsPlugin);

/** A collection that belongs to no app: the engine takes any name (the cast stands until collection names are the app's). */
export const NOTES = 'notes' as CollectionName;

export type Note = { id: string; text: string; tags: string[] };

const notesSchema = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 36 },
    text: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'text', 'tags'],
} as const;

/** The notes' conflict rule: the device's text, and the tags of both sides. */
export const mergeTags: RxConflictHandler<Record<string, unknown>> = {
  isEqual: (a, b) => deepEqual(a, b),
  resolve: ({ realMasterState, newDocumentState }) => {
    const tags = [...new Set([...(realMasterState['tags'] as string[]), ...(newDocumentState['tags'] as string[])])].sort();
    return Promise.resolve({ ...newDocumentState, tags });
  },
};

export type MemoryDevice = {
  db: RxDatabase;
  notes: RxCollection<Record<string, unknown>>;
  replication: TwoWayReplication;
  unsent: UnsentChanges;
  /** The device's note as the replication sees it, or undefined. */
  note(id: string): Promise<WireDocument | undefined>;
  /** Stops syncing as the app does when it closes. */
  close(): Promise<void>;
  /** Ends the device as a killed tab would: no replication step runs after this, nothing is settled. */
  crash(): Promise<void>;
};

/** A device with one collection, `notes`, in fake-indexeddb, replicating with `server` through its memory transport (by `handler`'s rule). */
export async function openMemoryDevice(
  server: MemoryServer,
  name: string,
  retryMs = 5,
  handler: RxConflictHandler<Record<string, unknown>> = mergeTags,
): Promise<MemoryDevice> {
  const db = await createRxDatabase({
    name,
    storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
    multiInstance: false,
    eventReduce: true,
    localDocuments: true,
  });
  await db.addCollections({ notes: { schema: notesSchema } });
  const notes = db.collections['notes'] as RxCollection<Record<string, unknown>>;
  await db.waitForLeadership();
  const transport = server.transport();
  const seqs = new SeqBook();
  const unsent = new UnsentChanges();
  const beforeApply = async () => {};
  const stream = new LiveStream(transport, [NOTES], { beforeApply, seqs });
  const replication = new TwoWayReplication({
    name: NOTES,
    collection: notes,
    transport,
    seqs,
    unsent,
    pull: serverPull({ name: NOTES, transport, seqs, beforeApply }),
    changes$: stream.streamOf(NOTES),
    streamOpen$: stream.open$,
    checkpoints: {
      get: async () => checkpointSchema.safeParse((await db.getLocal('checkpoint'))?.toJSON().data).data ?? null,
      set: async (checkpoint) => void (await db.upsertLocal('checkpoint', checkpoint)),
    },
    retryMs,
    handler,
    legacy: new LegacyReplicationMeta(notes, indexedDB),
  });
  stream.start();
  replication.start();
  return {
    db,
    notes,
    replication,
    unsent,
    note: async (id) => {
      const [held] = await notes.storageInstance.findDocumentsById([id], true);
      return held && wireState(held);
    },
    close: async () => {
      stream.close();
      await replication.cancel();
      await db.close();
    },
    crash: async () => {
      transport.cut();
      stream.close();
      await db.close();
    },
  };
}
