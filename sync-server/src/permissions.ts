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
} from '@pourover/schemas';

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

/** Whether the syncgroup of `collection` in `replica` grants `grant` to the principal. */
export function isGranted(principal: Principal, replica: string, collection: CollectionName, grant: Grant): boolean {
  return collections[collection].syncgroup.some(
    (member) =>
      member.grants.includes(grant) &&
      matchesPattern(member.pattern === '$owner' ? ownerPattern(replica) : member.pattern, principal.name),
  );
}

/**
 * The one permission check every endpoint calls: resolves the replica that
 * holds `collection` (for the principal's own replica, or the `target`
 * replica a store request names) and refuses unless its syncgroup grants one
 * of `grants`.
 */
export function authorize(
  principal: Principal,
  collection: CollectionName,
  grants: readonly Grant[],
  target: string = ownReplica(principal),
): string {
  const replica = homeReplica(collection, target);
  if (!grants.some((grant) => isGranted(principal, replica, collection, grant))) {
    throw new PouroverError('FORBIDDEN', `${principal.name} may not ${grants.join(' or ')} ${collection} of ${replica}`);
  }
  return replica;
}
