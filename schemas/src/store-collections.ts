import type { CollectionSpec, DocumentMigration } from './app-definition.ts';
import { STORE } from './blessing.ts';
import { collections } from './registry.ts';
import { slotScheduleRow } from './slot-schedule.ts';
import { storeSettings } from './store-settings.ts';

/**
 * The store's collections that no device opens: only the store (its owner's
 * view, its processor) reads them, through the sync client. They are apart
 * from `collections` because a device opens every collection there, and
 * RxDB allows a process only 13.
 */
export const storeOnlyCollectionNames = ['slotSchedule', 'storeSettings'] as const;
export type StoreOnlyCollectionName = (typeof storeOnlyCollectionNames)[number];

export const storeOnlyCollections: { readonly [K in StoreOnlyCollectionName]: CollectionSpec & { name: K } } = {
  slotSchedule: {
    name: 'slotSchedule',
    schema: slotScheduleRow,
    primaryKey: 'id',
    home: 'store',
    conflict: 'server-wins',
    syncgroup: [{ pattern: `${STORE}:$`, grants: ['read', 'write', 'batch', 'admin'] }],
  },
  storeSettings: {
    name: 'storeSettings',
    schema: storeSettings,
    primaryKey: 'id',
    home: 'store',
    conflict: 'server-wins',
    syncgroup: [{ pattern: `${STORE}:$`, grants: ['read', 'write', 'admin'] }],
  },
};

/** The schema version of each store-only collection's documents (as `schemaVersions`, for the collections devices hold). */
export const storeOnlySchemaVersions: { readonly [K in StoreOnlyCollectionName]: number } = {
  slotSchedule: 0,
  storeSettings: 0,
};

export const storeOnlyMigrations: { readonly [K in StoreOnlyCollectionName]: Readonly<Record<number, DocumentMigration>> } = {
  slotSchedule: {},
  storeSettings: {},
};

/** Every collection the server keeps: the ones devices hold and the store's own. */
export const serverCollections = { ...collections, ...storeOnlyCollections };
