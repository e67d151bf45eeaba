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

/** Whether the syncgroup of `collection` in `replica` grants `grant` to the principal. */
export function isGranted(principal: Principal, replica: string, collection: CollectionName, grant: Grant): boolean {
  return collections[collection].syncgroup.some(
    (member) =>
      member.grants.includes(grant) &&
      matchesPattern(member.pattern === '$owner' ? replica : member.pattern, principal.name),
  );
}

/**
 * The one permission check every endpoint calls: resolves the replica that
 * holds `collection` for the principal and refuses unless its syncgroup
 * grants one of `grants`.
 */
export function authorize(principal: Principal, collection: CollectionName, grants: readonly Grant[]): string {
  const replica = homeReplica(collection, ownReplica(principal));
  if (!grants.some((grant) => isGranted(principal, replica, collection, grant))) {
    throw new PouroverError('FORBIDDEN', `${principal.name} may not ${grants.join(' or ')} ${collection} of ${replica}`);
  }
  return replica;
}
