import { PouroverError } from '@pourover/protocol';
import {
  collections,
  homeReplica,
  matchesPattern,
  shopperReplica,
  STORE,
  type CollectionName,
  type Grant,
  type Principal,
  type SyncgroupMember,
} from '@pourover/schemas';
import type { IdentityStore } from './auth/identity-store.ts';

/** The members of a replica's syncgroup for one collection: as an admin last set them, or the registry's defaults. */
export type Syncgroups = (replica: string, collection: CollectionName) => { members: readonly SyncgroupMember[]; version: number };

export function syncgroupsOf(identity: IdentityStore): Syncgroups {
  return (replica, collection) => identity.syncgroup(replica, collection) ?? { members: collections[collection].syncgroup, version: 0 };
}

/** The replica a principal's own requests address: the shopper's for a device, the store's for the store. */
export function ownReplica(principal: Principal): string {
  return principal.kind === 'store' ? STORE : shopperReplica(principal.shopperId);
}

/**
 * The pattern `$owner` stands for in a replica's syncgroups: a shopper's
 * replica name matches all their devices; the store's own replica is matched
 * exactly, since every blessing extends `bluebottle`.
 */
function ownerPattern(replica: string): string {
  return replica === STORE ? `${STORE}:$` : replica;
}

/** Whether a member pattern (with `$owner` resolved for `replica`) matches the principal. */
export function memberMatches(member: SyncgroupMember, replica: string, principal: Principal): boolean {
  return matchesPattern(member.pattern === '$owner' ? ownerPattern(replica) : member.pattern, principal.name);
}

/** Whether the syncgroup of `collection` in `replica` grants `grant` to the principal. */
export function isGranted(syncgroups: Syncgroups, principal: Principal, replica: string, collection: CollectionName, grant: Grant): boolean {
  return syncgroups(replica, collection).members.some((member) => member.grants.includes(grant) && memberMatches(member, replica, principal));
}

/**
 * The one permission check every endpoint calls: resolves the replica that
 * holds `collection` (for the principal's own replica, or the `target`
 * replica a store request names) and refuses unless its syncgroup grants one
 * of `grants`.
 */
export function authorize(
  syncgroups: Syncgroups,
  principal: Principal,
  collection: CollectionName,
  grants: readonly Grant[],
  target: string = ownReplica(principal),
): string {
  const replica = homeReplica(collection, target);
  if (!grants.some((grant) => isGranted(syncgroups, principal, replica, collection, grant))) {
    throw new PouroverError('FORBIDDEN', `${principal.name} may not ${grants.join(' or ')} ${collection} of ${replica}`);
  }
  return replica;
}
