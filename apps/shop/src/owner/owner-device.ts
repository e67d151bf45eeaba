import { openKeyedDevice, type KeyedDevice } from '../keyed-device.ts';

/** Where the owner's browser keeps its key pair and blessing: apart from a shopper's device in the same browser. */
export const OWNER_DATABASE = 'pourover-owner-device';
const OWNER_DEVICE_NAME = 'pourover-owner-device-name';

/** Signs this browser in as one of the store owner's devices, with a code from the server's console. */
export async function signInOwner(code: string, device: string): Promise<KeyedDevice> {
  const signedIn = await openKeyedDevice(OWNER_DATABASE, (client, publicKey) =>
    client.auth.storeSignIn.mutate({ code: code.trim().toUpperCase(), device: device.trim(), publicKey }),
  );
  localStorage.setItem(OWNER_DEVICE_NAME, device.trim());
  return signedIn;
}

/** The name the owner gave this browser when signing in, as typed. */
export const ownerDeviceName = () => localStorage.getItem(OWNER_DEVICE_NAME);
export const forgetOwnerDeviceName = () => localStorage.removeItem(OWNER_DEVICE_NAME);
