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

/**
 * Who a request is. `name` is the blessing syncgroups match. The store is
 * `bluebottle`, whether a worker holding the store's token (the processor)
 * or one of the owner's signed-in devices, whose token names
 * `bluebottle:owners:<deviceId>` (`device`): that name is what is refreshed
 * and revoked, while it is authorized as exactly `bluebottle`, so every
 * syncgroup's `bluebottle:$` keeps matching it. A shopper's device is
 * `bluebottle:users:<shopperId>:<deviceId>`, a driver's
 * `bluebottle:drivers:<driverId>:<deviceId>`.
 */
export type Principal =
  | { kind: 'store'; name: string; device?: string }
  | { kind: 'device'; name: string; shopperId: string; deviceId: string }
  | { kind: 'driver'; name: string; driverId: string; deviceId: string };

/** Reads a blessing name as the store (or one of its owner's devices), a shopper's device or a driver's; anything else is no principal. */
export function principalOf(name: string): Principal | undefined {
  if (name === STORE) return { kind: 'store', name };
  const [root, kind, id, deviceId, ...rest] = name.split(':');
  if (root !== STORE || !id || !component.test(id)) return undefined;
  if (kind === 'owners' && deviceId === undefined) return { kind: 'store', name: STORE, device: name };
  if (!deviceId || !component.test(deviceId) || rest.length > 0) return undefined;
  if (kind === 'users') return { kind: 'device', name, shopperId: id, deviceId };
  if (kind === 'drivers') return { kind: 'driver', name, driverId: id, deviceId };
  return undefined;
}

/** The name a principal's credential is known by: refreshed, revoked, holding stream tickets (an owner device's own, not the store's). */
export function credentialOf(principal: Principal): string {
  return principal.kind === 'store' ? (principal.device ?? principal.name) : principal.name;
}

/** The name of one of the store owner's devices. */
export function ownerDevice(deviceId: string): string {
  return `${STORE}:owners:${deviceId}`;
}

/** The replica a shopper's collections live in. */
export function shopperReplica(shopperId: string): string {
  return `${STORE}:users:${shopperId}`;
}

/** The replica a driver's collections live in; its devices' blessings extend it. */
export function driverReplica(driverId: string): string {
  return `${STORE}:drivers:${driverId}`;
}

/** Whether a replica is a driver's (rather than the store's or a shopper's). */
export function isDriverReplica(name: string): boolean {
  return name.startsWith(`${STORE}:drivers:`) && isReplicaName(name);
}

const replicaPattern = new RegExp(`^${STORE}(:(users|drivers):${COMPONENT})?$`);

/**
 * Whether `name` names a replica. There are three kinds: the store's
 * (`bluebottle`), a shopper's (`bluebottle:users:<shopperId>`) and a
 * driver's (`bluebottle:drivers:<driverId>`), the id one blessing component.
 * Anything else, `bluebottle:users` or a device's blessing, names no
 * replica: taken as one, its `$owner` would match blessings that do not own it.
 */
export function isReplicaName(name: string): boolean {
  return replicaPattern.test(name);
}

/** A replica's name, as a request names it. */
export const replicaName = z
  .string()
  .regex(replicaPattern, 'not a replica name: `bluebottle`, `bluebottle:users:<shopper>` or `bluebottle:drivers:<driver>`');
