import type { AppCollections, CollectionSpec, DerivedRxSchema, DocumentMigration } from '@pourover/schemas';
import type { RxCollection, RxConflictHandler } from 'rxdb/plugins/core';

/** A replica's collections by name, as RxDB holds them. */
export type ReplicaCollections<Name extends string = string> = { [K in Name]: RxCollection<Record<string, unknown>> };

/**
 * An app as a device runs it: its collections (schema, conflict rule,
 * syncgroups: the device writes those its owner may write, and only reads the
 * rest), how each is stored, and the merge of each collection whose rule is
 * `yjs-merge`. The replica knows nothing else of the app.
 */
export type DeviceApp<Name extends string = string> = {
  collections: { readonly [K in Name]: CollectionSpec } & AppCollections;
  /** Each collection's RxDB schema (versioned) and the migrations to it from older versions. */
  storage: { readonly [K in Name]: { schema: DerivedRxSchema; migrations: Readonly<Record<number, DocumentMigration>> } };
  /** The conflict handler of each `yjs-merge` collection, made with the device's collections (to read what the merge needs). */
  merges?: { readonly [K in Name]?: (collections: ReplicaCollections<Name>) => RxConflictHandler<Record<string, unknown>> };
};
