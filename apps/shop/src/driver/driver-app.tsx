import { useEffect, useState } from 'preact/hooks';
import { forgetKeyedDevice, hasKeyedDevice, keepFresh, openKeyedDevice, type KeyedDevice } from '../keyed-device.ts';
import { pairingCodeOf } from '../pairing-link.ts';
import { explain } from '../words/error-words.ts';
import { DRIVER_DATABASE, forgetDriver, rememberDriver, rememberedDriver, type DriverIdentity } from './driver-device.ts';
import { DriverSignIn } from './driver-sign-in.tsx';
import { DriverView } from './driver-view.tsx';

type State =
  | { kind: 'checking' }
  | { kind: 'signed-out'; notice?: string | undefined }
  | { kind: 'signed-in'; device: KeyedDevice; driver: DriverIdentity }
  | { kind: 'failed'; sentence: string };

/** The code of the pairing link the page was opened at, taken off the address so a reload doesn't offer a spent code again. */
function takeLinkedCode(): string | undefined {
  const code = location.hash ? pairingCodeOf(location.href, location.origin, '/driver') : undefined;
  if (location.hash) history.replaceState(null, '', '/driver');
  return code;
}

/** A driver's phone at /driver: signs in once with the store's pairing code, then stays signed in until signed out or removed. */
export default function DriverApp() {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const [linkedCode] = useState(takeLinkedCode);
  useEffect(() => {
    document.title = 'Deliveries · Pourover driver';
    hasKeyedDevice(DRIVER_DATABASE)
      .then(async (signedIn) => {
        const driver = rememberedDriver();
        if (!signedIn || !driver) return setState({ kind: 'signed-out' });
        setState({ kind: 'signed-in', device: await openKeyedDevice(DRIVER_DATABASE), driver });
      })
      .catch((failure: unknown) => setState({ kind: 'failed', sentence: explain(failure).sentence }));
  }, []);
  const signedOut = (notice?: string) => {
    forgetDriver();
    void forgetKeyedDevice(DRIVER_DATABASE).then(() => setState({ kind: 'signed-out', notice }));
  };
  useEffect(() => {
    if (state.kind !== 'signed-in') return undefined;
    const stop = keepFresh(state.device, signedOut);
    // The store may have renamed the driver; offline, the remembered name stays.
    state.device.client.drivers.me.query().then(
      (driver) => {
        if (driver.name === state.driver.name) return;
        rememberDriver(driver);
        setState({ ...state, driver: { id: driver.id, name: driver.name } });
      },
      () => undefined,
    );
    return stop;
  }, [state.kind === 'signed-in' ? state.device : undefined]);

  if (state.kind === 'checking') return null;
  if (state.kind === 'failed')
    return (
      <main>
        <p class="error" role="alert">
          {state.sentence}
        </p>
      </main>
    );
  if (state.kind === 'signed-out')
    return <DriverSignIn code={linkedCode} notice={state.notice} onSignedIn={(signedIn) => setState({ kind: 'signed-in', ...signedIn })} />;
  return <DriverView device={state.device} driver={state.driver} onSignOut={() => signedOut()} />;
}
