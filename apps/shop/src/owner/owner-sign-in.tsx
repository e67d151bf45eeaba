import { useState } from 'preact/hooks';
import { MAX_DEVICE_NAME, suggestedDeviceName } from '../device-name.ts';
import type { KeyedDevice } from '../keyed-device.ts';
import { explain } from '../words/error-words.ts';
import { signInOwner } from './owner-device.ts';

/**
 * The store owner's sign-in: a single-use code from the server's console
 * (`pourover-server owner-code`) and a name for this browser, which then
 * stays signed in. `notice` says why it was signed out, if it was.
 */
export function OwnerSignIn({ notice, onSignedIn }: { notice?: string | undefined; onSignedIn: (device: KeyedDevice) => void }) {
  const [code, setCode] = useState('');
  const [device, setDevice] = useState(suggestedDeviceName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    signInOwner(code, device).then(onSignedIn, (failure: unknown) => {
      setError(explain(failure).sentence);
      setBusy(false);
    });
  };
  return (
    <main class="sign-in">
      <h1>Bluebottle — store owner</h1>
      {notice ? (
        <p class="error" role="alert">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit}>
        <label for="owner-code">Sign-in code from the server’s console</label>
        <input
          id="owner-code"
          name="code"
          autoComplete="one-time-code"
          required
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          aria-describedby={error ? 'owner-code-error' : undefined}
          aria-invalid={error ? 'true' : undefined}
        />
        <label for="owner-device">Name this browser</label>
        <input
          id="owner-device"
          required
          maxLength={MAX_DEVICE_NAME}
          autoComplete="off"
          value={device}
          onInput={(e) => setDevice(e.currentTarget.value)}
          aria-describedby="owner-device-hint"
        />
        <p id="owner-device-hint" class="hint">
          It stays signed in; you can sign it out from any of the store’s devices, under Drivers and devices.
        </p>
        {error ? (
          <p id="owner-code-error" class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in as the store'}
        </button>
      </form>
    </main>
  );
}
