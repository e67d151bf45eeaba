import { openKeyedDevice, type KeyedDevice } from '../keyed-device.ts';

/** Where a driver's phone keeps its key pair and blessing: apart from a shopper's or the owner's device in the same browser. */
export const DRIVER_DATABASE = 'pourover-driver-device';
const REMEMBERED_DRIVER = 'pourover-driver';

/** Who the phone is signed in as: the driver's id and name, as the store wrote it. */
export type DriverIdentity = { id: string; name: string };

/** Signs this phone in as a driver, with a pairing code the store made for them. */
export async function signInDriver(code: string, device: string): Promise<{ device: KeyedDevice; driver: DriverIdentity }> {
  let driver: DriverIdentity | undefined;
  const signedIn = await openKeyedDevice(DRIVER_DATABASE, async (client, publicKey) => {
    const blessed = await client.drivers.signIn.mutate({ code: code.trim().toUpperCase(), device: device.trim(), publicKey });
    driver = { id: blessed.driver.id, name: blessed.driver.name };
    return blessed;
  });
  if (!driver) throw new Error('this phone was signed in already');
  rememberDriver(driver);
  return { device: signedIn, driver };
}

/** The driver this phone signed in as, kept to show at once (and offline) after a reload. */
export function rememberedDriver(): DriverIdentity | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(REMEMBERED_DRIVER) ?? 'null') as Partial<DriverIdentity> | null;
    return typeof saved?.id === 'string' && typeof saved.name === 'string' ? { id: saved.id, name: saved.name } : undefined;
  } catch {
    return undefined;
  }
}

export const rememberDriver = (driver: DriverIdentity) => localStorage.setItem(REMEMBERED_DRIVER, JSON.stringify(driver));
export const forgetDriver = () => localStorage.removeItem(REMEMBERED_DRIVER);
