import type { OwnerSession } from './store-client.ts';

/** A driver the store may give a delivery to: the id an order's `driverId` holds, and a name to show. */
export type Driver = { id: string; name: string };

/** The store's drivers, as the server lists them (removed ones left out). */
export async function listDrivers(session: OwnerSession): Promise<Driver[]> {
  return (await session.client.drivers.list.query()).map((driver) => ({ id: driver.id, name: driver.name }));
}
