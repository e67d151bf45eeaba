import { MAX_ROWS, type PushRow, type WireDocument } from '@pourover/protocol';
import { collectionNames, collections, devicesWrite, rxSchemaOf, type CollectionName } from '@pourover/schemas';
import {
  addRxPlugin,
  createRxDatabase,
  type RxCollection,
  type ReplicationPushOptions,
  type RxConflictHandler,
  type RxDatabase,
  type RxStorage,
} from 'rxdb/plugins/core';
import { RxDBLeaderElectionPlugin } from 'rxdb/plugins/leader-election';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { BehaviorSubject, combineLatest, distinctUntilChanged, map, type Observable } from 'rxjs';
import { chunkBySize } from './chunk-rows.ts';
import type { Credentials } from './device-credentials.ts';
import { errorCodeOf, fixedCredentials, withRecovery } from './recovery.ts';
import { SeqBook } from './seq-book.ts';
import { builtInRules, fieldLastWriterWins } from './conflict-rules.ts';
import { LiveStream } from './live-stream.ts';
import { pullFresh } from './pull-fresh.ts';
import { refuseLocalWrites } from './read-only.ts';
import { createSyncClient, type EventSourceConstructor, type SyncClient } from './sync-client.ts';
import { UnsentChanges } from './unsent-changes.ts';

addRxPlugin(RxDBLeaderElectionPlugin);

/** Push requests stay under this many bytes of JSON (the server takes at most 1 MiB). */
const MAX_PUSH_BYTES = 768 * 1024;
const PULL_BATCH = MAX_ROWS;
const PUSH_BATCH = 500;

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
  /** Conflict handlers by collection, replacing the built-in rule (required for `yjs-merge` collections). */
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

export type BeforeApply = (collection: CollectionName, documents: readonly WireDocument[]) => Promise<void>;

export type SyncStatus = {
  state: 'offline' | 'connecting' | 'syncing' | 'idle';
  /** Documents written on this device the server has not taken yet. */
  unsent: number;
  lastError: string | null;
};

export type ReplicaCollections = { [K in CollectionName]: RxCollection<Record<string, unknown>> };

/** A device's replica: its local RxDB database, kept in sync with the server. */
export class Replica {
  readonly db: RxDatabase<ReplicaCollections>;
  readonly client: SyncClient;
  readonly status$: Observable<SyncStatus>;
  readonly #stream: LiveStream;
  readonly #replications: RxReplicationState<Record<string, unknown>, { seq: number }>[];

  private constructor(parts: {
    db: RxDatabase<ReplicaCollections>;
    client: SyncClient;
    stream: LiveStream;
    replications: RxReplicationState<Record<string, unknown>, { seq: number }>[];
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

  /** The replication of one collection (for its `received$`, `sent$` and `error$`). */
  replicationOf(name: CollectionName) {
    const index = collectionNames.indexOf(name);
    const replication = this.#replications[index];
    if (!replication) throw new Error(`no replication for ${name}`);
    return replication;
  }

  /** Resolves once every collection has pulled what the server had and pushed every local write. */
  async awaitInSync(): Promise<void> {
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
    });
    const seqs = new SeqBook();
    await db.addCollections(
      Object.fromEntries(
        collectionNames.map((name) => [
          name,
          {
            schema: rxSchemaOf(name),
            conflictHandler: seqs.judged(name, options.conflictHandlers?.[name] ?? builtInRules[collections[name].conflict] ?? fieldLastWriterWins),
          },
        ]),
      ) as never,
    );
    const client = createSyncClient({ url: options.url, token, ...(options.EventSource ? { EventSource: options.EventSource } : {}) });
    const beforeApply: BeforeApply = options.beforeApply ?? (async () => {});
    const stream = new LiveStream(client, collectionNames, { beforeApply, credentials, seqs });
    const unsent = new UnsentChanges();
    const replications = collectionNames.map((name) => {
      const collection = db.collections[name];
      if (devicesWrite(name)) unsent.watch(collection);
      else refuseLocalWrites(collection);
      return replicate({ name, collection, client, credentials, seqs, stream, unsent, beforeApply, retryMs: options.retryMs ?? 2_000 });
    });
    // Tabs share the database and only the elected tab replicates (`waitForLeadership` below), so only it needs the live stream.
    void db.waitForLeadership().then(() => stream.start());
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

/**
 * Pushes rows; if the server refuses the device writes to this collection
 * (an admin took its write grant away, say), the server's own state comes back
 * as the conflict, so the collection's rule puts the device back in line. A
 * document the server does not have at all comes back deleted.
 */
async function pushOrRevert(client: SyncClient, collection: CollectionName, rows: PushRow[]): Promise<{ conflicts: WireDocument[]; seqs: number[] }> {
  try {
    return await client.sync.push.mutate({ collection, rows });
  } catch (error) {
    if (errorCodeOf(error) !== 'FORBIDDEN') throw error;
    const ids = rows.map((row) => row.newDocumentState.id);
    const { documents } = await client.sync.get.query({ collection, ids });
    const current = new Map(documents.map((doc) => [doc.id, doc]));
    return { conflicts: rows.map((row) => current.get(row.newDocumentState.id) ?? { ...row.newDocumentState, _deleted: true }), seqs: [] };
  }
}

type ReplicationParts = {
  name: CollectionName;
  collection: RxCollection<Record<string, unknown>>;
  client: SyncClient;
  credentials: Credentials;
  seqs: SeqBook;
  stream: LiveStream;
  unsent: UnsentChanges;
  beforeApply: BeforeApply;
  retryMs: number;
};

function replicate(parts: ReplicationParts) {
  const { name, client } = parts;
  return replicateRxCollection<Record<string, unknown>, { seq: number }>({
    collection: parts.collection,
    replicationIdentifier: `pourover-${name}`,
    live: true,
    retryTime: parts.retryMs,
    waitForLeadership: true,
    pull: {
      batchSize: PULL_BATCH,
      stream$: parts.stream.streamOf(name).asObservable(),
      handler: async (checkpoint, batchSize) => {
        const result = await pullFresh({
          collection: name,
          checkpoint: checkpoint ?? null,
          limit: batchSize,
          seqs: parts.seqs,
          pull: (from) => withRecovery(parts.credentials, () => client.sync.pull.query({ collection: name, checkpoint: from, limit: batchSize })),
        });
        await parts.beforeApply(name, result.documents);
        return { documents: result.documents as never, checkpoint: result.checkpoint ?? { seq: 0 } };
      },
    },
    // Without a push RxDB keeps no copy of each pulled document's server state: one write per document, not two.
    ...(devicesWrite(name) ? { push: pushOf(parts) } : {}),
  });
}

function pushOf(parts: ReplicationParts): ReplicationPushOptions<Record<string, unknown>> {
  const { name, client } = parts;
  return {
    batchSize: PUSH_BATCH,
    handler: (rows) =>
      parts.seqs.pushing(name, async () => {
        const sent = parts.unsent.beginPush(name, rows.map((row) => String(row.newDocumentState['id'])));
        const conflicts: WireDocument[] = [];
        for (const chunk of chunkBySize(rows, MAX_PUSH_BYTES) as unknown as PushRow[][]) {
          const result = await withRecovery(parts.credentials, () => pushOrRevert(client, name, chunk));
          parts.seqs.acknowledged(name, chunk.map((row) => row.newDocumentState), result.seqs);
          conflicts.push(...result.conflicts);
        }
        sent();
        return conflicts as never;
      }),
  };
}
