import { z } from 'zod';
import type { OwnerSession } from './store-client.ts';

/** A driver the store may give a delivery to: the id an order's `driverId` holds, and a name to show. */
export type Driver = { id: string; name: string };

const driver = z.looseObject({
  id: z.string().min(1).max(64),
  name: z.string().max(120).optional(),
  label: z.string().max(120).optional(),
});
const answer = z.union([z.array(driver), z.looseObject({ drivers: z.array(driver) })]);

/** The procedure drivers' identities bring (`auth.listDrivers`); absent from the router's type until they land. */
type DriversProcedure = { listDrivers: { query(): Promise<unknown> } };

/**
 * The store's drivers, from the server's `auth.listDrivers` where the server
 * has it; a server without drivers yet (the procedure unknown to it) has none.
 */
export async function listDrivers(session: OwnerSession): Promise<Driver[]> {
  const auth = session.client.auth as unknown as DriversProcedure;
  let found: unknown;
  try {
    found = await auth.listDrivers.query();
  } catch (error) {
    const code = (error as { data?: { code?: unknown } | null }).data?.code;
    if (code === 'NOT_FOUND') return [];
    throw error;
  }
  const parsed = answer.safeParse(found);
  if (!parsed.success) return [];
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.drivers;
  return list.map((entry) => ({ id: entry.id, name: entry.name ?? entry.label ?? entry.id }));
}
