import type { WireDocument } from '@pourover/protocol';
import { getRxReplicationMetaInstanceSchema, type RxCollection, type RxStorageInstance } from 'rxdb/plugins/core';
import { storedPages } from './stored-pages.ts';

type MetaRow = { isCheckpoint: string; itemId: string; docData?: Record<string, unknown> };

/**
 * What a device that synced through RxDB's replication (before its own
 * two-way replication) knew of the server: RxDB kept, in a storage of its
 * own, the server's state each document last held. A document written then
 * carries no sync state of ours, so its next push goes over this state;
 * over none, the per-field rule would take every field of the device's,
 * stale ones included, over what other devices wrote since.
 */
export class LegacyReplicationMeta {
  readonly #collection: RxCollection<Record<string, unknown>>;
  readonly #indexedDB: IDBFactory | undefined;

  constructor(collection: RxCollection<Record<string, unknown>>, indexedDB: IDBFactory | undefined) {
    this.#collection = collection;
    this.#indexedDB = indexedDB;
  }

  /** The server's states RxDB's replication of this collection kept, by document; null if it never ran here. */
  async bases(): Promise<Map<string, WireDocument> | null> {
    if (!(await this.#exists(await this.#storageName()))) return null;
    const bases = new Map<string, WireDocument>();
    const instance = await this.#open();
    try {
      for await (const rows of storedPages(instance)) {
        for (const row of rows) {
          if (row.isCheckpoint !== '0' || !row.docData) continue;
          const { _meta, _rev, _attachments, ...state } = row.docData;
          bases.set(row.itemId, state as WireDocument);
        }
      }
      return bases;
    } finally {
      await instance.close();
    }
  }

  /** Deletes RxDB's storage of it: called once every document that needed it holds a sync state of ours. */
  async remove(): Promise<void> {
    const name = await this.#storageName();
    const factory = this.#factory();
    if (!factory) return;
    await new Promise<void>((resolve, reject) => {
      const request = factory.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error(`deleting ${name} failed`));
    });
  }

  /** RxDB named it after a hash of the collection and the replication's identifier (`pourover-<collection>`). */
  async #metaCollectionName(): Promise<string> {
    const { name, database } = this.#collection;
    return `rx-replication-meta-${await database.hashFunction(`${name}-pourover-${name}`)}`;
  }

  /** The IndexedDB database RxDB's Dexie storage kept it in (named as its `getDexieDbWithTables` names them). */
  async #storageName(): Promise<string> {
    const { database, schema } = this.#collection;
    return `rxdb-dexie-${database.name}--${schema.version}--${await this.#metaCollectionName()}`;
  }

  #factory(): IDBFactory | undefined {
    return this.#indexedDB ?? globalThis.indexedDB;
  }

  /** Whether the database is there, without creating it: an open that would create it is aborted (`databases()` is missing in older browsers). */
  #exists(name: string): Promise<boolean> {
    const factory = this.#factory();
    if (!factory) return Promise.resolve(false);
    return new Promise((resolve) => {
      const request = factory.open(name);
      request.onupgradeneeded = () => request.transaction?.abort();
      request.onsuccess = () => {
        request.result.close();
        resolve(true);
      };
      request.onerror = (event) => {
        event.preventDefault();
        resolve(false);
      };
    });
  }

  async #open(): Promise<RxStorageInstance<MetaRow, unknown, unknown>> {
    const { database, schema } = this.#collection;
    return database.storage.createStorageInstance<MetaRow>({
      databaseName: database.name,
      collectionName: await this.#metaCollectionName(),
      databaseInstanceToken: database.token,
      multiInstance: false,
      options: {},
      schema: getRxReplicationMetaInstanceSchema(schema.jsonSchema, false) as never,
      devMode: false,
    }) as Promise<RxStorageInstance<MetaRow, unknown, unknown>>;
  }
}
