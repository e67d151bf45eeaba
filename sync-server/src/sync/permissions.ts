import { PouroverError } from '@pourover/protocol';
import { isReplicaName, matchesPattern, shopperReplica, STORE, type Grant, type Principal, type SyncgroupMember } from '@pourover/schemas';
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

/** The replica a principal's own requests address: the shopper's for a device, the store's for the store. */
export function ownReplica(principal: Principal): string {
  return principal.kind === 'store' ? STORE : shopperReplica(principal.shopperId);
}

/**
 * The pattern `$owner` stands for in a replica's syncgroups: a shopper's
 * replica name matches all their devices; the store's own replica is matched
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

/**
 * What may be done with `collection` in `replica`. The store's replica holds
 * no collection homed in a shopper's replica: they mean something
 * only in a shopper's replica, so there the store may only read them (and
 * finds nothing), never write or administer them.
 */
function grantsIn(app: ServerApp, replica: string, collection: string, grants: readonly Grant[]): readonly Grant[] {
  return replica === STORE && specOf(app, collection).home === 'shopper' ? grants.filter((grant) => grant === 'read') : grants;
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
  const { livesIn } = specOf(access.app, collection);
  if (livesIn && replica !== STORE && !matchesPattern(livesIn, replica)) {
    throw new PouroverError('FORBIDDEN', `${collection} live only in replicas of ${livesIn}, not in ${replica}`);
  }
  if (!isGranted(access.syncgroups, principal, replica, collection, grantsIn(access.app, replica, collection, grants))) {
    throw new PouroverError('FORBIDDEN', `${principal.name} may not ${grants.join(' or ')} ${collection} of ${replica}`);
  }
  return replica;
}
