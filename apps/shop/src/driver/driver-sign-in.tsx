import { useState } from 'preact/hooks';
import { MAX_DEVICE_NAME, suggestedDeviceName } from '../device-name.ts';
import { describedBy, FieldError } from '../field-error.tsx';
import type { KeyedDevice } from '../keyed-device.ts';
import { pairingCodeOf } from '../pairing-link.ts';
import { ScanPairingCode } from '../qr-scanner.tsx';
import { explain, type Field } from '../words/error-words.ts';
import { signInDriver, type DriverIdentity } from './driver-device.ts';

/**
 * A driver's phone signs in with the pairing code the store showed: typed,
 * pasted as the store's link, scanned, or filled in by the link that opened
 * the page (`code`). `notice` says why the phone was signed out, if it was.
 */
export function DriverSignIn(props: {
  code?: string | undefined;
  notice?: string | undefined;
  onSignedIn: (signedIn: { device: KeyedDevice; driver: DriverIdentity }) => void;
}) {
  const [code, setCode] = useState(props.code ?? '');
  const [device, setDevice] = useState(suggestedDeviceName);
  const [error, setError] = useState<{ sentence: string; field?: Field } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    const typed = pairingCodeOf(code, location.origin, '/driver');
    if (!typed) return setError({ sentence: 'Enter the 8-letter code the store showed you, or paste its link.', field: 'code' });
    setError(null);
    setBusy(true);
    signInDriver(typed, device).then(props.onSignedIn, (failure: unknown) => {
      setError(explain(failure));
      setBusy(false);
    });
  };
  const errorOf = (field: Field) => (error?.field === field ? error.sentence : null);
  return (
    <main class="sign-in driver-sign-in">
      <h1>Bluebottle deliveries</h1>
      {props.notice ? (
        <p class="error" role="alert">
          {props.notice}
        </p>
      ) : null}
      <p class="lede">Sign this phone in as a driver with the code the store gave you.</p>
      <form onSubmit={submit} noValidate>
        <label for="driver-code">Pairing code or link</label>
        <input
          id="driver-code"
          value={code}
          required
          autoComplete="one-time-code"
          autoCapitalize="characters"
          onInput={(event) => setCode(event.currentTarget.value)}
          {...describedBy('driver-code-error', errorOf('code'), 'driver-code-hint')}
        />
        <p id="driver-code-hint" class="hint">
          8 letters and digits, shown by the store under Drivers.
        </p>
        <FieldError id="driver-code-error" error={errorOf('code')} />
        <ScanPairingCode onCode={setCode} page="/driver" />
        <label for="driver-device">Name this phone</label>
        <input
          id="driver-device"
          value={device}
          required
          maxLength={MAX_DEVICE_NAME}
          autoComplete="off"
          onInput={(event) => setDevice(event.currentTarget.value)}
          {...describedBy('driver-device-error', errorOf('device'))}
        />
        <FieldError id="driver-device-error" error={errorOf('device')} />
        {error && !error.field ? (
          <p class="error" role="alert">
            {error.sentence}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in as a driver'}
        </button>
      </form>
    </main>
  );
}
