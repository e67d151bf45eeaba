import { useState } from 'preact/hooks';
import { explain } from './format.ts';
import { ScanPairingCode } from './qr-scanner.tsx';
import type { SignIn } from './session.ts';

const defaultDevice = () => `device-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Signing a device in: the demo shopper, email and password, or a pairing
 * code from another device (`pairingCode` when a pairing link opened the app).
 */
export function SignInScreen({ onSignIn, pairingCode }: { onSignIn: (signIn: SignIn) => Promise<void>; pairingCode?: string | undefined }) {
  const [mode, setMode] = useState<SignIn['kind']>(pairingCode ? 'pair' : 'dev');
  const [device, setDevice] = useState(defaultDevice);
  const [email, setEmail] = useState('demo@example.com');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState(pairingCode ?? '');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const signIns: Record<SignIn['kind'], SignIn> = {
      dev: { kind: 'dev', device },
      password: { kind: 'password', email, password, device },
      signUp: { kind: 'signUp', name, email, password, device },
      pair: { kind: 'pair', code, device },
    };
    const signIn = signIns[mode];
    onSignIn(signIn).catch((failure: unknown) => {
      setError(explain(failure));
      setBusy(false);
    });
  };
  return (
    <main class="sign-in">
      <h1>Pourover</h1>
      <p>Order coffee from Bluebottle — online or offline.</p>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Sign in</legend>
          <label><input type="radio" name="mode" checked={mode === 'dev'} onChange={() => setMode('dev')} /> Demo shopper</label>
          <label><input type="radio" name="mode" checked={mode === 'password'} onChange={() => setMode('password')} /> Email and password</label>
          <label><input type="radio" name="mode" checked={mode === 'signUp'} onChange={() => setMode('signUp')} /> Create an account</label>
          <label><input type="radio" name="mode" checked={mode === 'pair'} onChange={() => setMode('pair')} /> Pair with a code</label>
        </fieldset>
        <label>
          Name this device
          <input value={device} onInput={(event) => setDevice(event.currentTarget.value)} pattern="[A-Za-z0-9_-]{1,64}" required />
        </label>
        {mode === 'signUp' ? <label>Your name <input value={name} onInput={(event) => setName(event.currentTarget.value)} required /></label> : null}
        {mode === 'password' || mode === 'signUp' ? (
          <>
            <label>Email <input type="email" value={email} onInput={(event) => setEmail(event.currentTarget.value)} required /></label>
            <label>Password <input type="password" value={password} onInput={(event) => setPassword(event.currentTarget.value)} required minLength={mode === 'signUp' ? 10 : 1} /></label>
          </>
        ) : null}
        {mode === 'pair' ? (
          <>
            <label>
              Pairing code
              <input value={code} onInput={(event) => setCode(event.currentTarget.value)} pattern="[A-Za-z0-9]{8}" required autoComplete="one-time-code" />
            </label>
            <ScanPairingCode onCode={setCode} />
          </>
        ) : null}
        {error ? <p class="error" role="alert">{error}</p> : null}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
