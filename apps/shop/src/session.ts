import { APP_BUILD } from './app-build.ts';
import { openShop, type Shop } from '@pourover/orders';
import { createSyncClient, DeviceCredentials, indexedDBDeviceStore, type DevicePublicKey } from '@pourover/sync-client';
import { forgetDevice } from '@pourover/sync-client/device-presence';
import { deleteReplicaDatabase } from './delete-replica-database.ts';
import { forgetDeviceName, rememberDeviceName } from './device-name.ts';
import { dismissedNotices } from './dismissed-notices.ts';
import type { SignIn } from './sign-in-kinds.ts';

const url = location.origin;
const deviceStore = indexedDBDeviceStore(indexedDB);
/** The name of the device's RxDB database; RxDB's Dexie storage keeps it in IndexedDB databases named after it. */
const DATABASE = 'pourover';

async function openWith(signIn?: SignIn): Promise<Shop> {
  const credentials = await DeviceCredentials.open({
    store: deviceStore,
    client: (token) => createSyncClient({ url, token, appBuild: APP_BUILD }),
    signIn: async (publicKey: DevicePublicKey) => {
      if (!signIn) throw new Error('this device is not signed in');
      const auth = createSyncClient({ url, token: () => '', appBuild: APP_BUILD }).auth;
      const device = signIn.device.trim();
      const blessed =
        signIn.kind === 'dev'
          ? await auth.devSignIn.mutate({ device, publicKey })
          : signIn.kind === 'password'
            ? await auth.signIn.mutate({ email: signIn.email, password: signIn.password, device, publicKey })
            : signIn.kind === 'signUp'
              ? await auth.signUp.mutate({ name: signIn.name, email: signIn.email, password: signIn.password, device, publicKey })
              : await auth.redeemPairingCode.mutate({ code: signIn.code.trim().toUpperCase(), device, publicKey });
      rememberDeviceName(device);
      return blessed;
    },
  });
  return openShop({ url, blessing: credentials, name: DATABASE, appBuild: APP_BUILD, dismissedNotices });
}

/** The shop of a device that signed in before (its keys and blessing are in IndexedDB). */
export function resumeSession(): Promise<Shop> {
  return openWith();
}

export function startSession(signIn: SignIn): Promise<Shop> {
  return openWith(signIn);
}

/**
 * Signs this device out: stops syncing, then deletes the shopper's data and
 * the device's keys from this browser. The caller makes sure nothing unsent
 * is lost first (`sign-out.tsx`).
 */
export async function endSession(shop: Shop): Promise<void> {
  await shop.close();
  await deleteReplicaDatabase(DATABASE);
  await forgetDevice(indexedDB);
  forgetDeviceName();
}
