import { PouroverError } from '@pourover/protocol';
import {
  driverReplica,
  isDriverReplica,
  isReplicaName,
  matchesPattern,
  shopperReplica,
  STORE,
  type Grant,
  type Home,
  type Principal,
  type SyncgroupMember,
} from '@pourover/schemas';
import type { IdentityStore } from '../auth/identity-store.ts';
import { specOf, type ServerApp } from '../app/server-app.ts';

/** The members of a replica's syncgroup for one collection: as an admin last set them, or the app's defaults. */
export type Syncgroups = (replica: string, collection: string) => { members: readonly SyncgroupMember[]; version: number };

export function syncgroupsOf(identity: IdentityStore, app: ServerApp): Syncgroups {
  return (replica, collection) => identity.syncgroup(replica, collection) ?? { members: specOf(app, collection).syncgroup, version: 0 };
}

/** What a permission check reads: the app's collections (their homes) and the syncgroups. */
export type Access = { app: ServerApp; syncgroups: Syncgroups };

/** The replica that holds `collection` for `replica` (a collection homed in the root replica lives there, read by all). */
export function homeReplica(app: ServerApp, collection: string, replica: string): string {
  return specOf(app, collection).home === 'store' ? STORE : replica;
}

/** The replica a principal's own requests address: the shopper's for a shopper's device, the driver's for a driver's, the store's for the store. */
export function ownReplica(principal: Principal): string {
  switch (principal.kind) {
    case 'store':
      return STORE;
    case 'device':
      return shopperReplica(principal.shopperId);
    case 'driver':
      return driverReplica(principal.driverId);
  }
}

/**
 * The pattern `$owner` stands for in a replica's syncgroups: a shopper's (or
 * driver's) replica name matches all their devices; the store's own replica is matched
 * exactly, since every blessing extends the store's. A name that is no
 * replica's (the store's `:users`, a device's blessing) has no owner: as a
 * pattern it would match blessings that own nothing there.
 */
function ownerPattern(replica: string): string | undefined {
  if (!isReplicaName(replica)) return undefined;
  return replica === STORE ? `${STORE}:$` : replica;
}

/** Whether a member pattern (with `$owner` resolved for `replica`) matches the principal. */
export function memberMatches(member: SyncgroupMember, replica: string, principal: Principal): boolean {
  const pattern = member.pattern === '$owner' ? ownerPattern(replica) : member.pattern;
  return pattern !== undefined && matchesPattern(pattern, principal.name);
}

/** Whether the syncgroup of `collection` in `replica` grants the principal one of `grants` (looked up once). */
export function isGranted(
  syncgroups: Syncgroups,
  principal: Principal,
  replica: string,
  collection: string,
  grants: readonly Grant[],
): boolean {
  return syncgroups(replica, collection).members.some(
    (member) => member.grants.some((grant) => grants.includes(grant)) && memberMatches(member, replica, principal),
  );
}

/** The home of the collections a replica of this name holds. */
const homeOfReplica = (replica: string): Home => (replica === STORE ? 'store' : isDriverReplica(replica) ? 'driver' : 'shopper');

/**
 * What may be done with `collection` in `replica`. The store's replica holds
 * no collection homed in a shopper's or a driver's replica: they mean
 * something only there, so in the store's the store may only read them (and
 * finds nothing), never write or administer them. A shopper's replica holds
 * none of a driver's collections and a driver's none of a shopper's: there
 * nothing may be done with them at all, so `$owner` of a driver's replica
 * never reaches a shopper's collection (a profile, say), nor the
 * reverse.
 */
function grantsIn(app: ServerApp, replica: string, collection: string, grants: readonly Grant[]): readonly Grant[] {
  const home = specOf(app, collection).home;
  const here = homeOfReplica(replica);
  if (home === here || home === 'store') return grants;
  return here === 'store' ? grants.filter((grant) => grant === 'read') : [];
}

/** Whether the principal may do one of `grants` with `collection` in `replica` (the replica that holds it). */
export function allows(access: Access, principal: Principal, replica: string, collection: string, grants: readonly Grant[]): boolean {
  return isGranted(access.syncgroups, principal, replica, collection, grantsIn(access.app, replica, collection, grants));
}

/**
 * The one permission check every endpoint calls: resolves the replica that
 * holds `collection` (for the principal's own replica, or the `target`
 * replica a request names) and refuses unless its syncgroup grants one of
 * `grants`. A target that names no replica is bad input (the protocol's
 * schemas refuse it first; this check stands behind them).
 */
export function authorize(
  access: Access,
  principal: Principal,
  collection: string,
  grants: readonly Grant[],
  target: string = ownReplica(principal),
): string {
  if (!isReplicaName(target)) throw new PouroverError('BAD_INPUT', `${JSON.stringify(target.slice(0, 100))} names no replica`);
  const replica = homeReplica(access.app, collection, target);
  if (!allows(access, principal, replica, collection, grants)) {
    throw new PouroverError('FORBIDDEN', `${principal.name} may not ${grants.join(' or ')} ${collection} of ${replica}`);
  }
  return replica;
}
