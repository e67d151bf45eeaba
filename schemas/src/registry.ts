import { OWNER_PATTERN, ownerWrites, type CollectionSpec } from './app-definition.ts';
import { deliverySlot } from './availability.ts';
import { delivery } from './delivery.ts';
import { STORE } from './blessing.ts';
import { catalogItem } from './catalog.ts';
import { order } from './order.ts';
import { orderRequest } from './order-request.ts';
import { userProfile } from './user.ts';

export const collectionNames = [
  'user',
  'draftOrders',
  'placedOrders',
  'processedOrders',
  'orderRequests',
  'deliveries',
  'availability',
  'catalog',
] as const;
export type CollectionName = (typeof collectionNames)[number];

/** The collections a driver's devices hold: the driver's deliveries. */
export const driverCollectionNames = ['deliveries'] as const;
export type DriverCollectionName = (typeof driverCollectionNames)[number];

/** The collections a shopper's devices hold: their own, and the store's they read. */
export type ShopperCollectionName = Exclude<CollectionName, DriverCollectionName>;
export const shopperCollectionNames = collectionNames.filter(
  (name): name is ShopperCollectionName => !(driverCollectionNames as readonly string[]).includes(name),
);

const OWNER = OWNER_PATTERN;
const STORE_ONLY = `${STORE}:$`;
const ALL_SHOPPERS = `${STORE}:users`;

/** The shop's collections: the app definition's collection list the engine takes. */
export const collections: { readonly [K in CollectionName]: CollectionSpec & { name: K } } = {
  user: {
    name: 'user',
    schema: userProfile,
    primaryKey: 'id',
    home: 'shopper',
    conflict: 'field-lww',
    syncgroup: [
      { pattern: OWNER, grants: ['read', 'write', 'admin'] },
      { pattern: STORE_ONLY, grants: ['read'] },
    ],
  },
  draftOrders: {
    name: 'draftOrders',
    schema: order,
    primaryKey: 'id',
    home: 'shopper',
    conflict: 'yjs-merge',
    syncgroup: [{ pattern: OWNER, grants: ['read', 'write', 'admin'] }],
  },
  placedOrders: {
    name: 'placedOrders',
    schema: order,
    primaryKey: 'id',
    home: 'shopper',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: OWNER, grants: ['read', 'place'] },
      { pattern: STORE_ONLY, grants: ['read', 'batch', 'admin'] },
    ],
  },
  processedOrders: {
    name: 'processedOrders',
    schema: order,
    primaryKey: 'id',
    home: 'shopper',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: OWNER, grants: ['read'] },
      { pattern: STORE_ONLY, grants: ['read', 'batch', 'admin'] },
    ],
  },
  orderRequests: {
    name: 'orderRequests',
    schema: orderRequest,
    primaryKey: 'id',
    home: 'shopper',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: OWNER, grants: ['read', 'write', 'admin'] },
      { pattern: STORE_ONLY, grants: ['read'] },
    ],
  },
  deliveries: {
    name: 'deliveries',
    schema: delivery,
    primaryKey: 'id',
    home: 'driver',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: OWNER, grants: ['read', 'write'] },
      { pattern: STORE_ONLY, grants: ['read', 'admin'] },
    ],
  },
  availability: {
    name: 'availability',
    schema: deliverySlot,
    primaryKey: 'id',
    home: 'store',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: ALL_SHOPPERS, grants: ['read'] },
      { pattern: STORE_ONLY, grants: ['read', 'write', 'batch', 'admin'] },
    ],
  },
  catalog: {
    name: 'catalog',
    schema: catalogItem,
    primaryKey: 'id',
    home: 'store',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: ALL_SHOPPERS, grants: ['read'] },
      { pattern: STORE_ONLY, grants: ['read', 'write', 'batch', 'admin'] },
    ],
  },
};

/** The replica that holds `collection` for a shopper replica (store collections live in the store's). */
export function homeReplica(collection: CollectionName, shopperReplicaName: string): string {
  return collections[collection].home === 'store' ? STORE : shopperReplicaName;
}

/**
 * Whether a shopper's devices write `collection` themselves (and push it),
 * rather than only read it: the owner's syncgroup member may `write`. The
 * other collections change only on the server (the store's writes, moves),
 * so a device holds them read-only.
 */
export function devicesWrite(collection: CollectionName): boolean {
  return ownerWrites(collections[collection]);
}
