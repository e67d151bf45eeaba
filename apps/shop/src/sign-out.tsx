import type { Shop } from '@pourover/orders';
import { useEffect, useRef, useState } from 'preact/hooks';
import { plural } from './format.ts';
import { endSession } from './session.ts';
import { explain } from './words/error-words.ts';

/** How long signing out waits for unsent changes to reach the server before it asks. */
const SEND_FIRST_MS = 8_000;

type Stage =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'asking'; unsent: number }
  | { kind: 'signing-out' }
  | { kind: 'failed'; sentence: string };

/**
 * Signing this device out without losing anything: changes not yet sent are
 * sent first; if they can't be (offline), the shopper is asked whether to
 * stay signed in or to sign out and drop them, and told how many.
 */
export function SignOut({ shop, unsent, onSignedOut }: { shop: Shop; unsent: number; onSignedOut: () => void }) {
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const latest = useRef(unsent);
  useEffect(() => {
    latest.current = unsent;
  }, [unsent]);
  const leave = async () => {
    setStage({ kind: 'signing-out' });
    try {
      await endSession(shop);
      onSignedOut();
    } catch (failure) {
      setStage({ kind: 'failed', sentence: explain(failure).sentence });
    }
  };
  const start = async () => {
    if (latest.current > 0) {
      setStage({ kind: 'sending' });
      await Promise.race([shop.replica.awaitInSync(), new Promise((resolve) => setTimeout(resolve, SEND_FIRST_MS))]);
      if (latest.current > 0) return setStage({ kind: 'asking', unsent: latest.current });
    }
    await leave();
  };
  return (
    <section class="sign-out" aria-labelledby="sign-out-heading">
      <h2 id="sign-out-heading">Sign out of this device</h2>
      <p>Signing out removes your orders and keys from this browser. Your other devices stay signed in.</p>
      {stage.kind === 'asking' ? (
        <div class="confirm" role="alertdialog" aria-labelledby="unsent-heading" aria-describedby="unsent-text">
          <h3 id="unsent-heading">{plural(stage.unsent, 'change')} not sent yet</h3>
          <p id="unsent-text">
            This device could not reach the store. If you sign out now, {stage.unsent === 1 ? 'that change is' : 'those changes are'} lost.
            Stay signed in, and they are sent once you are online.
          </p>
          <button type="button" class="primary" onClick={() => setStage({ kind: 'idle' })}>
            Stay signed in
          </button>{' '}
          <button type="button" class="danger" onClick={() => void leave()}>
            Sign out and lose {stage.unsent === 1 ? 'it' : 'them'}
          </button>
        </div>
      ) : (
        <button type="button" disabled={stage.kind !== 'idle' && stage.kind !== 'failed'} onClick={() => void start()}>
          {stage.kind === 'sending' ? 'Sending your changes first…' : stage.kind === 'signing-out' ? 'Signing out…' : 'Sign out'}
        </button>
      )}
      {stage.kind === 'failed' ? (
        <p class="error" role="alert">
          {stage.sentence}
        </p>
      ) : null}
    </section>
  );
}
