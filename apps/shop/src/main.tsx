import type { Shop } from '@pourover/orders';
import { hasDeviceState } from '@pourover/sync-client/device-presence';
import { render } from 'preact';
import { config } from 'zod/mini';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { AppUpdate } from './app-update.tsx';
import { pairingCodeOf } from './pairing-link.ts';
import { loadInStages } from './load-in-stages.ts';
import { followLink, navigate } from './router.ts';
import { routeOf } from './routes.ts';
import { SignInScreen } from './sign-in.tsx';
import type { SignIn } from './sign-in-kinds.ts';
import { explain } from './words/error-words.ts';
import './styles.css';

// zod compiles parsers with `new Function` where it may; the pages' content security policy forbids eval, and
// even zod's guarded probe for it is reported as a violation; jitless, it parses without compiled code.
config({ jitless: true });

/**
 * The first screen loads only what it shows: the sign-in screen is here;
 * the shop (with RxDB) loads once a device is signed in, the store owner's
 * view only for the owner and a driver's only at /driver, each as a chunk of its own.
 */
const ShopApp = lazy(() => loadInStages(SHOP_STAGES, () => import('./shop-app.tsx')));
const OwnerView = lazy(() => import('./owner/owner-view.tsx'));
const DriverApp = lazy(() => import('./driver/driver-app.tsx'));
const SESSION_CHANNEL = 'pourover-session';
/**
 * The shop's dependencies, each evaluated in a task of its own before the shop's: zod, the document schemas, the
 * client's protocol, RxDB with the replica. Each stage names one export the shop uses anyway: a bare `import('zod')`
 * would keep all of zod's exports, its locales among them, in the build.
 */
const SHOP_STAGES = [
  () => import('zod').then(({ object }) => object),
  () => import('@pourover/schemas').then(({ orderRequest }) => orderRequest),
  () => import('@pourover/sync-client').then(({ createSyncClient }) => createSyncClient),
  () => import('@pourover/replica').then(({ openReplica }) => openReplica),
];

/** The code of the pairing link the app was opened at, taken off the address so a reload doesn't offer a spent code again. */
function takeLinkedPairingCode(): string | undefined {
  const code = pairingCodeOf(location.href, location.origin);
  if (location.pathname === '/pair') history.replaceState(null, '', '/');
  return code;
}

function Shopper() {
  const [state, setState] = useState<
    { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; shop?: Shop | undefined } | { kind: 'failed'; sentence: string }
  >({ kind: 'checking' });
  const [linkedCode] = useState(takeLinkedPairingCode);
  useEffect(() => {
    hasDeviceState(indexedDB).then(
      (signedIn) => setState(signedIn ? { kind: 'signed-in' } : { kind: 'signed-out' }),
      (failure: unknown) => setState({ kind: 'failed', sentence: explain(failure).sentence }),
    );
    // A tab that signs out tells the others, which would otherwise go on with a closed database.
    const channel = new BroadcastChannel(SESSION_CHANNEL);
    channel.onmessage = () => location.reload();
    return () => channel.close();
  }, []);
  const signIn = async (chosen: SignIn) => {
    const { startSession } = await loadInStages(SHOP_STAGES, () => import('./session.ts'));
    setState({ kind: 'signed-in', shop: await startSession(chosen) });
  };
  const signedOut = () => {
    new BroadcastChannel(SESSION_CHANNEL).postMessage('signed-out');
    navigate('/', { replace: true });
    setState({ kind: 'signed-out' });
  };
  if (state.kind === 'checking') return null;
  if (state.kind === 'failed')
    return (
      <main>
        <p class="error" role="alert">
          {state.sentence}
        </p>
      </main>
    );
  if (state.kind === 'signed-out') return <SignInScreen pairingCode={linkedCode} onSignIn={signIn} />;
  return (
    <Suspense
      fallback={
        <main>
          <p role="status">Opening your shop…</p>
        </main>
      }
    >
      <ShopApp signedIn={state.shop} onSignedOut={signedOut} />
    </Suspense>
  );
}

const root = document.getElementById('app');
const isDriverPage = routeOf(location.pathname).screen === 'driver';
if (root) {
  document.addEventListener('click', followLink);
  render(
    <>
      <AppUpdate />
      {location.pathname.startsWith('/owner') || isDriverPage ? (
        <Suspense
          fallback={
            <main>
              <p role="status">Loading…</p>
            </main>
          }
        >
          {isDriverPage ? <DriverApp /> : <OwnerView />}
        </Suspense>
      ) : (
        <Shopper />
      )}
    </>,
    root,
  );
}
