import { openShop, type Shop } from '@pourover/orders';
import { createSyncClient, DeviceCredentials, indexedDBDeviceStore, type DevicePublicKey } from '@pourover/replica';

/** How a device joins: the demo's sign-in, email and password, or a pairing code from another device. */
export type SignIn =
  | { kind: 'dev'; device: string }
  | { kind: 'password'; email: string; password: string; device: string }
  | { kind: 'signUp'; name: string; email: string; password: string; device: string }
  | { kind: 'pair'; code: string; device: string };

const url = location.origin;
const deviceStore = indexedDBDeviceStore(indexedDB);

async function openWith(signIn?: SignIn): Promise<Shop> {
  const credentials = await DeviceCredentials.open({
    store: deviceStore,
    client: (token) => createSyncClient({ url, token }),
    signIn: (publicKey: DevicePublicKey) => {
      if (!signIn) throw new Error('this device is not signed in');
      const auth = createSyncClient({ url, token: () => '' }).auth;
      if (signIn.kind === 'dev') return auth.devSignIn.mutate({ device: signIn.device, publicKey });
      if (signIn.kind === 'password') return auth.signIn.mutate({ email: signIn.email, password: signIn.password, device: signIn.device, publicKey });
      if (signIn.kind === 'signUp') return auth.signUp.mutate({ name: signIn.name, email: signIn.email, password: signIn.password, device: signIn.device, publicKey });
      return auth.redeemPairingCode.mutate({ code: signIn.code.trim().toUpperCase(), device: signIn.device, publicKey });
    },
  });
  return openShop({ url, blessing: credentials, name: 'pourover' });
}

/** The shop of a device that signed in before (its keys and blessing are in IndexedDB), if it did. */
export async function resumeSession(): Promise<Shop | undefined> {
  return (await deviceStore.load()) ? openWith() : undefined;
}

export function startSession(signIn: SignIn): Promise<Shop> {
  return openWith(signIn);
}
