import { z } from 'zod';

/** The store's own blessing; every other name extends it. */
export const STORE = 'bluebottle';

const COMPONENT = '[A-Za-z0-9_.-]{1,64}';
const component = new RegExp(`^${COMPONENT}$`);

/** A blessing name: `:`-separated components, e.g. `bluebottle:users:<id>:<device>`. */
export const blessingName = z
  .string()
  .max(300)
  .refine((name) => name.split(':').every((part) => component.test(part)), 'malformed blessing name');

/**
 * Whether `pattern` matches `name`: a pattern matches the name itself and
 * every extension of it; a trailing `:$` matches the name exactly.
 */
export function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.endsWith(':$')) return name === pattern.slice(0, -2);
  return name === pattern || name.startsWith(`${pattern}:`);
}

export type Principal = { kind: 'store'; name: string } | { kind: 'device'; name: string; shopperId: string; deviceId: string };

/** Reads a blessing name as the store or a shopper's device; anything else is not a principal. */
export function principalOf(name: string): Principal | undefined {
  const parts = name.split(':');
  if (name === STORE) return { kind: 'store', name };
  const [root, users, shopperId, deviceId, ...rest] = parts;
  if (root !== STORE || users !== 'users' || !shopperId || !deviceId || rest.length > 0) return undefined;
  return { kind: 'device', name, shopperId, deviceId };
}

/** The replica a shopper's collections live in. */
export function shopperReplica(shopperId: string): string {
  return `${STORE}:users:${shopperId}`;
}

const replicaPattern = new RegExp(`^${STORE}(:users:${COMPONENT})?$`);

/**
 * Whether `name` names a replica. There are two kinds: the store's
 * (`bluebottle`) and a shopper's (`bluebottle:users:<shopperId>`, the id one
 * blessing component). Anything else, `bluebottle:users` or a device's
 * blessing, names no replica: taken as one, its `$owner` would match
 * blessings that do not own it.
 */
export function isReplicaName(name: string): boolean {
  return replicaPattern.test(name);
}

/** A replica's name, as a request names it. */
export const replicaName = z.string().regex(replicaPattern, 'not a replica name: `bluebottle` or `bluebottle:users:<shopper>`');
