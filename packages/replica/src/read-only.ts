import type { RxCollection } from 'rxdb/plugins/core';

/** The app wrote to a collection the device only reads (`devicesWrite` is false for it). */
export class ReadOnlyCollectionError extends Error {
  readonly collection: string;

  constructor(collection: string) {
    super(`${collection} is read-only on this device: it changes only on the server, and reaches the device through sync`);
    this.name = 'ReadOnlyCollectionError';
    this.collection = collection;
  }
}

/**
 * Refuses every insert, save and remove the app makes through the
 * collection, before it touches the database. Replication writes straight
 * to the storage and is not refused.
 */
export function refuseLocalWrites(collection: RxCollection) {
  const refuse = () => {
    throw new ReadOnlyCollectionError(collection.name);
  };
  for (const key of ['insert', 'save', 'remove'] as const) collection.addHook('pre', key, refuse, false);
}
