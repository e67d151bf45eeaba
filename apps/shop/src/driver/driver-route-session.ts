import { DriverRoute } from '@pourover/orders';
import { APP_BUILD } from '../app-build.ts';
import { deleteReplicaDatabase } from '../delete-replica-database.ts';
import type { KeyedDevice } from '../keyed-device.ts';

/** The name of the driver's deliveries database; RxDB's Dexie storage keeps it in IndexedDB databases named after it. */
const DATABASE = 'pourover-driver';

/** Opens the driver's deliveries on this phone, synced with the driver's replica over the phone's own credentials. */
export function openDriverRoute(device: KeyedDevice): Promise<DriverRoute> {
  return DriverRoute.open({ url: location.origin, blessing: device.credentials, name: DATABASE, appBuild: APP_BUILD });
}

/** Closes the route and deletes its database: a signed-out phone keeps no customer's name or address. */
export async function forgetDriverRoute(route: DriverRoute | undefined): Promise<void> {
  await route?.close();
  await deleteReplicaDatabase(DATABASE);
}
