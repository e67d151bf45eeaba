import type { DeviceApp, Replica } from '@pourover/replica';
import {
  collections,
  driverCollectionNames,
  migrations,
  shopperCollectionNames,
  storedRxSchemas,
  type AppCollections,
  type CollectionName,
  type CollectionSpec,
  type DriverCollectionName,
  type ShopperCollectionName,
} from '@pourover/schemas';
import type { RxCollection, RxConflictHandler } from 'rxdb/plugins/core';
import { draftMerge } from './draft-merge.ts';

/** A replica of the shop's collections on a shopper's device. */
export type ShopReplica = Replica<ShopperCollectionName>;

/** A replica of a driver's deliveries on the driver's phone. */
export type DriverReplica = Replica<DriverCollectionName>;

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

/**
 * The part of the shop's app a device of one kind runs: those collections, their stored schemas and migrations.
 * The schemas are the ones derived at build time (`storedRxSchemas`): deriving them from zod on the device took
 * a quarter of the signed-in shop's longest task.
 */
function deviceApp<Name extends CollectionName>(names: readonly Name[]): Omit<DeviceApp<Name>, 'merges'> {
  return {
    collections: Object.fromEntries(names.map((name) => [name, collections[name]])) as unknown as {
      readonly [K in Name]: CollectionSpec;
    } & AppCollections,
    storage: Object.fromEntries(
      names.map((name) => [name, { schema: storedRxSchemas[name], migrations: migrations[name] }]),
    ) as DeviceApp<Name>['storage'],
  };
}

/** The shop as a shopper's device runs it: the shopper's and the store's collections, and the draft merge. */
export const pouroverDeviceApp: DeviceApp<ShopperCollectionName> = {
  ...deviceApp(shopperCollectionNames),
  merges: { draftOrders: (replica) => catalogPricedDraftMerge(replica.catalog) },
};

/** The shop as a driver's phone runs it: the driver's deliveries alone. */
export const pouroverDriverApp: DeviceApp<DriverCollectionName> = deviceApp(driverCollectionNames);
