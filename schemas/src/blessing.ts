import { z } from 'zod';

/** The store's own blessing; every other name extends it. */
export const STORE = 'bluebottle';

const component = /^[A-Za-z0-9_.-]{1,64}$/;

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

export type Principal =
  | { kind: 'store'; name: string }
  | { kind: 'device'; name: string; shopperId: string; deviceId: string };

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
