import { checkpoint as checkpointSchema } from '@pourover/protocol';
import { ownerWrites } from '@pourover/schemas';
import { addRxPlugin, createRxDatabase, type RxConflictHandler, type RxDatabase, type RxStorage } from 'rxdb/plugins/core';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { BehaviorSubject, combineLatest, distinctUntilChanged, map, type Observable } from 'rxjs';
import type { BeforeApply } from './before-apply.ts';
import { pullCheckpointId } from './checkpoint-ids.ts';
import { builtInRules, fieldLastWriterWins } from './conflict-rules.ts';
import type { DeviceApp, ReplicaCollections } from './device-app.ts';
import type { Credentials } from '@pourover/sync-client';
import { LegacyReplicationMeta } from './legacy-replication-meta.ts';
import { LiveStream } from './live-stream.ts';
import { serverPull } from './pull-fresh.ts';
import { PullReplication, type CheckpointStore } from './pull-replication.ts';
import { refuseLocalWrites } from './read-only.ts';
import { fixedCredentials } from '@pourover/sync-client';
import { SeqBook } from './seq-book.ts';
import { createSyncClient, type EventSourceConstructor, type SyncClient } from '@pourover/sync-client';
import { trpcTransport } from './trpc-transport.ts';
import { TwoWayReplication } from './two-way-replication.ts';
import { UnsentChanges } from './unsent-changes.ts';
import { stoppingOnUpdateNeeded } from './update-needed.ts';

addRxPlugin(RxDBLeaderElectionPlugin);
addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

/**
 * How many documents RxDB's schema migration reads and writes at a time. It
 * reads the old documents sorted by `_meta.lwt`, and each read walks again over
 * every document sharing the last one's write time (one bulk write's documents
 * do), so with its default of 10 a device's migration grows with the square of
 * such a group (4,000 documents: 118 s in Chromium); with 2,000 it stays near
 * linear (docs/benchmarks.md, 2026-12-05).
 */
const MIGRATION_BATCH = 2_000;
/** How long a pull or push waits for its answer by default: about four times a full push on a slow 3G link. */
const REQUEST_TIMEOUT_MS = 60_000;

export type ReplicaOptions<Name extends string = string> = {
  /** The app whose collections the replica holds. */
  app: DeviceApp<Name>;
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
  conflictHandlers?: { readonly [K in Name]?: RxConflictHandler<Record<string, unknown>> };
  /** Several tabs share the database and elect one to sync (default true; false in Node). */
  multiInstance?: boolean;
  /** Validate every local write against the schema (costly; for tests and development). */
  validate?: boolean;
  /** Delay before a failed pull or push is tried again. */
  retryMs?: number;
  /** How long a pull or push waits for the server's answer before it is tried again (default 60 s). */
  requestTimeoutMs?: number;
  /**
   * Runs before documents from the server are written locally, in the order
   * they came; the write waits for it. A rejection leaves them unwritten, to
   * be pulled again. An app uses it so that a document moved between
   * collections leaves the old one only once it is in the new one.
   */
  beforeApply?: BeforeApply;
  /** The app's build (a version and a build time or commit), named to the server with every request for its logs. */
  appBuild?: string;
  /** The protocol version to claim (default the one it speaks): only tests claim another, to stand for an older app. */
  protocol?: number;
};

export type SyncStatus = {
  /** `update-needed`: the server no longer serves this app's protocol; syncing stopped, unsent writes wait for a newer app. */
  state: 'offline' | 'connecting' | 'syncing' | 'idle' | 'update-needed';
  /** Documents written on this device the server has not taken yet. */
  unsent: number;
  lastError: string | null;
};

export type { ReplicaCollections } from './device-app.ts';

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
export class Replica<Name extends string = string> {
  readonly db: RxDatabase<ReplicaCollections<Name>>;
  readonly client: SyncClient;
  readonly status$: Observable<SyncStatus>;
  readonly #stream: LiveStream;
  readonly #replications: CollectionReplication[];
  readonly #names: readonly Name[];

  private constructor(parts: {
    db: RxDatabase<ReplicaCollections<Name>>;
    names: readonly Name[];
    client: SyncClient;
    stream: LiveStream;
    replications: CollectionReplication[];
    status$: Observable<SyncStatus>;
  }) {
    this.db = parts.db;
    this.#names = parts.names;
    this.client = parts.client;
    this.#stream = parts.stream;
    this.#replications = parts.replications;
    this.status$ = parts.status$;
  }

  get collections(): ReplicaCollections<Name> {
    return this.db.collections;
  }

  /** The replication of one collection (for its `received$` and `error$`). */
  replicationOf(name: Name) {
    const index = this.#names.indexOf(name);
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
  static async open<Name extends string>(options: ReplicaOptions<Name>): Promise<Replica<Name>> {
    const { app } = options;
    const collectionNames = Object.keys(app.collections) as Name[];
    const credentials = typeof options.blessing === 'object' ? options.blessing : fixedCredentials(options.blessing);
    const token = () => credentials.token();
    const dexie: RxStorage<unknown, unknown> = getRxStorageDexie(options.indexedDB ?? {});
    // The validator (ajv) loads only when asked for, so apps that don't validate never download it.
    const storage = options.validate ? (await import('rxdb/plugins/validate-ajv')).wrappedValidateAjvStorage({ storage: dexie }) : dexie;
    const db = await createRxDatabase<ReplicaCollections<Name>>({
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
        collectionNames.map((name) => [
          name,
          { schema: app.storage[name].schema, migrationStrategies: app.storage[name].migrations, autoMigrate: false },
        ]),
      ) as never,
    );
    // As `autoMigrate` would, only collections past version 0 (a version-0 collection has nothing to migrate from).
    const versioned = collectionNames.map((name) => db.collections[name]).filter((collection) => collection.schema.version > 0);
    await Promise.all(versioned.map((collection) => collection.migratePromise(MIGRATION_BATCH)));
    const client = createSyncClient({
      url: options.url,
      token,
      ...(options.EventSource ? { EventSource: options.EventSource } : {}),
      ...(options.appBuild ? { appBuild: options.appBuild } : {}),
      ...(options.protocol ? { protocol: options.protocol } : {}),
    });
    const beforeApply: BeforeApply = options.beforeApply ?? (async () => {});
    const updateNeeded$ = new BehaviorSubject(false);
    // Stops every replication at the first UPDATE_NEEDED, so nothing is tried again against it; the writes stay unsent on disk.
    const transport = stoppingOnUpdateNeeded(trpcTransport(client, credentials, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS), () => {
      if (updateNeeded$.value) return;
      updateNeeded$.next(true);
      stream.stop();
      // The writes made from now on still count as unsent, so the app says they wait for the update.
      for (const replication of started) void (replication instanceof TwoWayReplication ? replication.halt() : replication.cancel());
    });
    const stream = new LiveStream(transport, collectionNames, { beforeApply, seqs });
    const unsent = new UnsentChanges();
    const retryMs = options.retryMs ?? 2_000;
    const started: (PullReplication | TwoWayReplication)[] = [];
    const replications = collectionNames.map((name): CollectionReplication => {
      const collection = db.collections[name];
      const parts = {
        collection,
        pull: serverPull({ name, transport, seqs, beforeApply }),
        changes$: stream.streamOf(name),
        checkpoints: localCheckpoints(db, name),
        retryMs,
      };
      if (ownerWrites(app.collections[name])) {
        const replication = new TwoWayReplication({
          ...parts,
          name,
          transport,
          seqs,
          unsent,
          streamOpen$: stream.open$,
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
      updateNeeded$,
    ]).pipe(
      map(([stream, unsentCount, initialSyncDone, active, updateNeeded]): SyncStatus => ({
        state: updateNeeded
          ? 'update-needed'
          : stream.connection !== 'open'
            ? stream.connection
            : !initialSyncDone || active.some(Boolean) || unsentCount > 0
              ? 'syncing'
              : 'idle',
        unsent: unsentCount,
        lastError: stream.error,
      })),
      distinctUntilChanged((a, b) => a.state === b.state && a.unsent === b.unsent && a.lastError === b.lastError),
    );
    return new Replica({ db, names: collectionNames, client, stream, replications, status$ });
  }
}

/** A collection's pull checkpoint in the database's local documents; one that does not parse is dropped, and the pull starts over. */
function localCheckpoints<Name extends string>(db: RxDatabase<ReplicaCollections<Name>>, name: Name): CheckpointStore {
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

/** The collection's conflict rule: the handler given for it, the app's merge, or the built-in one. */
function conflictHandlerOf<Name extends string>(
  name: Name,
  options: ReplicaOptions<Name>,
  db: RxDatabase<ReplicaCollections<Name>>,
): RxConflictHandler<Record<string, unknown>> {
  const rule = options.app.collections[name].conflict;
  const merge = options.app.merges?.[name];
  return options.conflictHandlers?.[name] ?? builtInRules[rule] ?? (merge ? merge(db.collections) : fieldLastWriterWins);
}
