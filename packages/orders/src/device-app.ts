import type { DeviceApp, Replica } from '@pourover/replica';
import { collectionNames, collections, migrations, rxSchemaOf, type CollectionName } from '@pourover/schemas';
import type { RxCollection, RxConflictHandler } from 'rxdb/plugins/core';
import { draftMerge } from './draft-merge.ts';

/** A replica of the shop's collections. */
export type ShopReplica = Replica<CollectionName>;

/** `draftMerge` priced from the catalog the device holds, read again for each conflict. */
function catalogPricedDraftMerge(catalog: RxCollection<Record<string, unknown>>): RxConflictHandler<Record<string, unknown>> {
  const prices = new Map<string, number>();
  const merge = draftMerge((itemId) => prices.get(itemId));
  return {
    isEqual: merge.isEqual,
    resolve: async (input, context) => {
      for (const item of await catalog.find().exec()) prices.set(item.primary, Number(item.get('priceCents')));
      return merge.resolve(input, context);
    },
  };
}

/** The shop as a device's replica runs it: its six collections, their stored schemas and migrations, and the draft merge. */
export const pouroverDeviceApp: DeviceApp<CollectionName> = {
  collections,
  storage: Object.fromEntries(
    collectionNames.map((name) => [name, { schema: rxSchemaOf(name), migrations: migrations[name] }]),
  ) as DeviceApp<CollectionName>['storage'],
  merges: { draftOrders: (replica) => catalogPricedDraftMerge(replica.catalog) },
};
