import type { z } from 'zod';
import { deliverySlot } from './availability.ts';
import { STORE } from './blessing.ts';
import { catalogItem } from './catalog.ts';
import { order } from './order.ts';
import { userProfile } from './user.ts';

export const collectionNames = ['user', 'draftOrders', 'placedOrders', 'processedOrders', 'availability', 'catalog'] as const;
export type CollectionName = (typeof collectionNames)[number];

/**
 * What a member of a syncgroup may do. `write` covers pushes of single
 * documents; `batch` covers atomic batches; `place` is the shopper's one
 * write to `placedOrders`, done by the server's move.
 */
export type Grant = 'read' | 'write' | 'batch' | 'place' | 'admin';

/**
 * A syncgroup member: a blessing pattern, where `$owner` stands for the
 * blessing that names the replica (so it matches every device of a shopper).
 */
export type SyncgroupMember = { pattern: string; grants: readonly Grant[] };

/**
 * How a device resolves a conflict the server reports:
 * - `field-lww`: fields changed on the device are laid over the server's
 *   state, so the later server-accepted write of a field wins;
 * - `yjs-merge`: the Yjs documents of both states are merged;
 * - `server-wins`: the server's state replaces the device's.
 */
export type ConflictRule = 'field-lww' | 'yjs-merge' | 'server-wins';

export type CollectionSpec = {
  name: CollectionName;
  schema: z.ZodObject;
  primaryKey: 'id';
  /** `shopper`: one copy per shopper replica; `store`: one copy in the store's replica, read by all. */
  home: 'shopper' | 'store';
  conflict: ConflictRule;
  syncgroup: readonly SyncgroupMember[];
};

const OWNER = '$owner';
const STORE_ONLY = `${STORE}:$`;
const ALL_SHOPPERS = `${STORE}:users`;

export const collections: { readonly [K in CollectionName]: CollectionSpec } = {
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
  return collections[collection].syncgroup.some((member) => member.pattern === OWNER && member.grants.includes('write'));
}
