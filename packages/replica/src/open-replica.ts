import { checkpoint as checkpointSchema, type WireDocument } from '@pourover/protocol';
import { collectionNames, collections, devicesWrite, migrations, rxSchemaOf, type CollectionName } from '@pourover/schemas';
import {
  addRxPlugin,
  createRxDatabase,
  type RxCollection,
  type RxConflictHandler,
  type RxDatabase,
  type RxStorage,
} from 'rxdb/plugins/core';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { BehaviorSubject, combineLatest, distinctUntilChanged, map, type Observable } from 'rxjs';
import { pullCheckpointId } from './checkpoint-ids.ts';
import { builtInRules, draftMerge, fieldLastWriterWins } from './conflict-rules.ts';
import type { Credentials } from '@pourover/sync-client';
import { LegacyReplicationMeta } from './legacy-replication-meta.ts';
import { LiveStream } from './live-stream.ts';
import { serverPull } from './pull-fresh.ts';
import { PullReplication, type CheckpointStore } from './pull-replication.ts';
import { refuseLocalWrites } from './read-only.ts';
import { fixedCredentials } from '@pourover/sync-client';
import { SeqBook } from './seq-book.ts';
import { createSyncClient, type EventSourceConstructor, type SyncClient } from '@pourover/sync-client';
import { TwoWayReplication } from './two-way-replication.ts';
import { UnsentChanges } from './unsent-changes.ts';

addRxPlugin(RxDBLeaderElectionPlugin);
addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

export type ReplicaOptions = {
  /** The sync server's base URL. */
  url: string;
  /** The device's credentials (refreshed when they expire), or a fixed token, or a function returning the current one. */
  blessing: string | (() => string) | Credentials;
  /** The local database's name (one IndexedDB database per name). */
  name: string;
  /** IndexedDB to use instead of the global one (fake-indexeddb in Node). */
  indexedDB?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };
  EventSource?: EventSourceConstructor;
  /** Conflict handlers by collection, replacing the built-in rule. */
  conflictHandlers?: Partial<Record<CollectionName, RxConflictHandler<Record<string, unknown>>>>;
  /** Several tabs share the database and elect one to sync (default true; false in Node). */
  multiInstance?: boolean;
  /** Validate every local write against the schema (costly; for tests and development). */
  validate?: boolean;
  /** Delay before a failed pull or push is tried again. */
  retryMs?: number;
  /**
   * Runs before documents from the server are written locally, in the order
   * they came; the write waits for it. A rejection leaves them unwritten, to
   * be pulled again. The orders package uses it so that a moved order's
   * tombstone lands only once its new home is on the device.
   */
  beforeApply?: BeforeApply;
};

export type BeforeApply = (collection: string, documents: readonly WireDocument[]) => Promise<void>;

export type SyncStatus = {
  state: 'offline' | 'connecting' | 'syncing' | 'idle';
  /** Documents written on this device the server has not taken yet. */
  unsent: number;
  lastError: string | null;
};

export type ReplicaCollections = { [K in CollectionName]: RxCollection<Record<string, unknown>> };

/** What the replica uses of a collection's replication: two-way (collections the device writes) or pull-only. */
export type CollectionReplication = {
  received$: Observable<Record<string, unknown>>;
  error$: Observable<unknown>;
  active$: Observable<boolean>;
  awaitInitialReplication(): Promise<unknown>;
  awaitInSync(): Promise<unknown>;
  cancel(): Promise<unknown>;
};

/** A device's replica: its local RxDB database, kept in sync with the server. */
export class Replica {
  readonly db: RxDatabase<ReplicaCollections>;
  readonly client: SyncClient;
  readonly status$: Observable<SyncStatus>;
  readonly #stream: LiveStream;
  readonly #replications: CollectionReplication[];

  private constructor(parts: {
    db: RxDatabase<ReplicaCollections>;
    client: SyncClient;
    stream: LiveStream;
    replications: CollectionReplication[];
    status$: Observable<SyncStatus>;
  }) {
    this.db = parts.db;
    this.client = parts.client;
    this.#stream = parts.stream;
    this.#replications = parts.replications;
    this.status$ = parts.status$;
  }

  get collections(): ReplicaCollections {
    return this.db.collections;
  }

  /** The replication of one collection (for its `received$` and `error$`). */
  replicationOf(name: CollectionName) {
    const index = collectionNames.indexOf(name);
    const replication = this.#replications[index];
    if (!replication) throw new Error(`no replication for ${name}`);
    return replication;
  }

  /**
   * Resolves once every collection has pulled what the server had and pushed
   * every local write, and follows its live changes: the pulls the live
   * stream asks for once it listens are waited for too.
   */
  async awaitInSync(): Promise<void> {
    await this.#stream.listening;
    await Promise.all(this.#replications.map((replication) => replication.awaitInSync()));
  }

  /** Stops syncing and closes the database; leaves no timer or connection behind. */
  async close(): Promise<void> {
    this.#stream.close();
    await Promise.all(this.#replications.map((replication) => replication.cancel()));
    await this.db.close();
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }

  /** Opens (or creates) the device's database and starts syncing every collection. */
  static async open(options: ReplicaOptions): Promise<Replica> {
    const credentials = typeof options.blessing === 'object' ? options.blessing : fixedCredentials(options.blessing);
    const token = () => credentials.token();
    const dexie: RxStorage<unknown, unknown> = getRxStorageDexie(options.indexedDB ?? {});
    // The validator (ajv) loads only when asked for, so apps that don't validate never download it.
    const storage = options.validate ? (await import('rxdb/plugins/validate-ajv')).wrappedValidateAjvStorage({ storage: dexie }) : dexie;
    const db = await createRxDatabase<ReplicaCollections>({
      name: options.name,
      storage,
      multiInstance: options.multiInstance ?? true,
      eventReduce: true,
      // Keeps the collections' pull checkpoints.
      localDocuments: true,
    });
    const seqs = new SeqBook();
    // A database of older schema versions is migrated here, before anything syncs; each document keeps its `_rev` and `_meta`, so what was unsent stays unsent and nothing synced is pushed again.
    await db.addCollections(
      Object.fromEntries(
        collectionNames.map((name) => [name, { schema: rxSchemaOf(name), migrationStrategies: migrations[name] }]),
      ) as never,
    );
    const client = createSyncClient({ url: options.url, token, ...(options.EventSource ? { EventSource: options.EventSource } : {}) });
    const beforeApply: BeforeApply = options.beforeApply ?? (async () => {});
    const stream = new LiveStream(client, collectionNames, { beforeApply, credentials, seqs });
    const unsent = new UnsentChanges();
    const retryMs = options.retryMs ?? 2_000;
    const started: (PullReplication | TwoWayReplication)[] = [];
    const replications = collectionNames.map((name): CollectionReplication => {
      const collection = db.collections[name];
      const parts = {
        collection,
        pull: serverPull({ name, client, credentials, seqs, beforeApply }),
        changes$: stream.streamOf(name),
        checkpoints: localCheckpoints(db, name),
        retryMs,
      };
      if (devicesWrite(name)) {
        unsent.watch(collection);
        const replication = new TwoWayReplication({
          ...parts,
          name,
          client,
          credentials,
          seqs,
          unsent,
          handler: conflictHandlerOf(name, options, db),
          legacy: new LegacyReplicationMeta(collection, options.indexedDB?.indexedDB),
        });
        started.push(replication);
        return replication;
      }
      refuseLocalWrites(collection);
      const replication = new PullReplication(parts);
      started.push(replication);
      return replication;
    });
    // Tabs share the database and only the elected tab replicates, so only it needs the live stream.
    void db.waitForLeadership().then(() => {
      stream.start();
      for (const replication of started) replication.start();
    });
    const initialSyncDone$ = new BehaviorSubject(false);
    void Promise.all(replications.map((replication) => replication.awaitInitialReplication())).then(
      () => initialSyncDone$.next(true),
      () => {},
    );
    const status$ = combineLatest([
      stream.state$,
      unsent.count$,
      initialSyncDone$,
      combineLatest(replications.map((replication) => replication.active$)),
    ]).pipe(
      map(([stream, unsentCount, initialSyncDone, active]): SyncStatus => ({
        state:
          stream.connection !== 'open'
            ? stream.connection
            : !initialSyncDone || active.some(Boolean) || unsentCount > 0
              ? 'syncing'
              : 'idle',
        unsent: unsentCount,
        lastError: stream.error,
      })),
      distinctUntilChanged((a, b) => a.state === b.state && a.unsent === b.unsent && a.lastError === b.lastError),
    );
    return new Replica({ db, client, stream, replications, status$ });
  }
}

/** A collection's pull checkpoint in the database's local documents; one that does not parse is dropped, and the pull starts over. */
function localCheckpoints(db: RxDatabase<ReplicaCollections>, name: CollectionName): CheckpointStore {
  const id = pullCheckpointId(name);
  return {
    get: async () => {
      const stored = await db.getLocal(id);
      const parsed = checkpointSchema.safeParse(stored?.toJSON().data);
      return parsed.success ? parsed.data : null;
    },
    set: async (checkpoint) => {
      await db.upsertLocal(id, checkpoint);
    },
  };
}

/** The collection's conflict rule: the app's handler for it, or the built-in one. */
function conflictHandlerOf(
  name: CollectionName,
  options: ReplicaOptions,
  db: RxDatabase<ReplicaCollections>,
): RxConflictHandler<Record<string, unknown>> {
  const rule = collections[name].conflict;
  return (
    options.conflictHandlers?.[name] ?? builtInRules[rule] ?? (rule === 'yjs-merge' ? catalogPricedDraftMerge(db) : fieldLastWriterWins)
  );
}

/** `draftMerge` priced from the catalog the device holds, read again for each conflict. */
function catalogPricedDraftMerge(db: RxDatabase<ReplicaCollections>): RxConflictHandler<Record<string, unknown>> {
  const prices = new Map<string, number>();
  const merge = draftMerge((itemId) => prices.get(itemId));
  return {
    isEqual: merge.isEqual,
    resolve: async (input, context) => {
      for (const item of await db.collections.catalog.find().exec()) prices.set(item.primary, Number(item.get('priceCents')));
      return merge.resolve(input, context);
    },
  };
}
