import { useState } from 'preact/hooks';
import { MAX_DEVICE_NAME, suggestedDeviceName } from './device-name.ts';
import { describedBy, FieldError } from './field-error.tsx';
import { ScanPairingCode } from './qr-scanner.tsx';
import type { SignIn } from './sign-in-kinds.ts';
import { explain, type Field } from './words/error-words.ts';

const submitWords: Record<SignIn['kind'], { idle: string; busy: string }> = {
  dev: { idle: 'Start shopping as the demo shopper', busy: 'Signing in…' },
  password: { idle: 'Sign in', busy: 'Signing in…' },
  signUp: { idle: 'Create account', busy: 'Creating your account…' },
  pair: { idle: 'Pair this device', busy: 'Pairing…' },
};

/**
 * Signing a device in: the demo shopper, email and password, a new account,
 * or a pairing code from another device (`pairingCode` when a pairing link
 * opened the app). Errors show beside the field at fault, in words.
 */
export function SignInScreen({ onSignIn, pairingCode }: { onSignIn: (signIn: SignIn) => Promise<void>; pairingCode?: string | undefined }) {
  const [mode, setMode] = useState<SignIn['kind']>(pairingCode ? 'pair' : 'dev');
  const [device, setDevice] = useState(suggestedDeviceName);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState(pairingCode ?? '');
  const [name, setName] = useState('');
  const [error, setError] = useState<{ sentence: string; field?: Field } | null>(null);
  const [busy, setBusy] = useState(false);
  const choose = (next: SignIn['kind']) => {
    setMode(next);
    setError(null);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    if (!device.trim() || device.trim().length > MAX_DEVICE_NAME)
      return setError({ sentence: `Name this device in 1 to ${MAX_DEVICE_NAME} characters.`, field: 'device' });
    setBusy(true);
    setError(null);
    const signIns: Record<SignIn['kind'], SignIn> = {
      dev: { kind: 'dev', device },
      password: { kind: 'password', email, password, device },
      signUp: { kind: 'signUp', name, email, password, device },
      pair: { kind: 'pair', code, device },
    };
    onSignIn(signIns[mode]).catch((failure: unknown) => {
      setError(explain(failure));
      setBusy(false);
    });
  };
  const errorOf = (field: Field) => (error?.field === field ? error.sentence : null);
  const modes: [SignIn['kind'], string][] = [
    ['dev', 'Demo shopper'],
    ['password', 'Email and password'],
    ['signUp', 'Create an account'],
    ['pair', 'Pair with a code'],
  ];
  return (
    <main class="sign-in">
      <h1>Pourover</h1>
      <p class="lede">Fresh coffee and brewing gear from Bluebottle. Order online or offline: your basket waits on this device.</p>
      <form onSubmit={submit} noValidate>
        <fieldset>
          <legend>How do you want to sign in?</legend>
          {modes.map(([kind, label]) => (
            <label class="choice" key={kind}>
              <input type="radio" name="mode" checked={mode === kind} onChange={() => choose(kind)} /> {label}
            </label>
          ))}
        </fieldset>
        <label for="device">Name this device</label>
        <input
          id="device"
          value={device}
          maxLength={MAX_DEVICE_NAME}
          required
          autoComplete="off"
          onInput={(event) => setDevice(event.currentTarget.value)}
          {...describedBy('device-error', errorOf('device'), 'device-hint')}
        />
        <p id="device-hint" class="hint">
          Any name you will recognise in your list of devices, up to {MAX_DEVICE_NAME} characters ({device.length}/{MAX_DEVICE_NAME}).
        </p>
        <FieldError id="device-error" error={errorOf('device')} />
        {mode === 'signUp' ? (
          <>
            <label for="name">Your name</label>
            <input
              id="name"
              value={name}
              required
              maxLength={120}
              autoComplete="name"
              onInput={(event) => setName(event.currentTarget.value)}
              {...describedBy('name-error', errorOf('name'))}
            />
            <FieldError id="name-error" error={errorOf('name')} />
          </>
        ) : null}
        {mode === 'password' || mode === 'signUp' ? (
          <>
            <label for="email">Email</label>
            <input
              id="email"
              type="email"
              value={email}
              required
              autoComplete="email"
              onInput={(event) => setEmail(event.currentTarget.value)}
              {...describedBy('email-error', errorOf('email'))}
            />
            <FieldError id="email-error" error={errorOf('email')} />
            <label for="password">Password</label>
            <input
              id="password"
              type="password"
              value={password}
              required
              minLength={mode === 'signUp' ? 10 : 1}
              autoComplete={mode === 'signUp' ? 'new-password' : 'current-password'}
              onInput={(event) => setPassword(event.currentTarget.value)}
              {...describedBy('password-error', errorOf('password'), mode === 'signUp' ? 'password-hint' : undefined)}
            />
            {mode === 'signUp' ? (
              <p id="password-hint" class="hint">
                At least 10 characters.
              </p>
            ) : null}
            <FieldError id="password-error" error={errorOf('password')} />
          </>
        ) : null}
        {mode === 'pair' ? (
          <>
            <label for="code">Pairing code</label>
            <input
              id="code"
              value={code}
              required
              autoComplete="one-time-code"
              maxLength={8}
              onInput={(event) => setCode(event.currentTarget.value)}
              {...describedBy('code-error', errorOf('code'), 'code-hint')}
            />
            <p id="code-hint" class="hint">
              8 letters and digits, shown on your other device under Devices.
            </p>
            <FieldError id="code-error" error={errorOf('code')} />
            <ScanPairingCode onCode={setCode} />
          </>
        ) : null}
        {error && !error.field ? (
          <p class="error" role="alert">
            {error.sentence}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? submitWords[mode].busy : submitWords[mode].idle}
        </button>
      </form>
    </main>
  );
}
