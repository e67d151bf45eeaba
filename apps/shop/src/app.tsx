import type { OrderView, Shop } from '@pourover/orders';
import type { CatalogItem } from '@pourover/schemas';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { AllowNotifications } from './allow-notifications.tsx';
import { Catalog } from './catalog.tsx';
import { DraftEditor } from './draft-editor.tsx';
import { explain } from './format.ts';
import { Notices } from './notices.tsx';
import { OrdersList } from './orders-list.tsx';
import { pairingCodeOf } from './pairing-link.ts';
import { Profile } from './profile.tsx';
import { resumeSession, startSession, type SignIn } from './session.ts';
import { SignInScreen } from './sign-in.tsx';
import { StatusBar } from './status-bar.tsx';
import { useObservable } from './use-observable.ts';

type Page = 'shop' | 'orders' | 'profile' | 'devices';

/** Pairing and the device list are rarely opened, so they and the QR encoder load on first use. */
const Devices = lazy(() => import('./devices.tsx'));

/** The code of the pairing link the app was opened at, taken off the address so a reload doesn't offer a spent code again. */
function takeLinkedPairingCode(): string | undefined {
  const code = pairingCodeOf(location.href, location.origin);
  if (location.pathname === '/pair') history.replaceState(null, '', '/');
  return code;
}

export function App() {
  const [shop, setShop] = useState<Shop | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [linkedCode] = useState(takeLinkedPairingCode);
  useEffect(() => {
    resumeSession().then((resumed) => setShop(resumed ?? null), (failure: unknown) => setError(explain(failure)));
  }, []);
  if (error) return <main><p class="error" role="alert">{error}</p></main>;
  if (shop === undefined) return <main><p>Opening your shop…</p></main>;
  if (shop === null) return <SignInScreen pairingCode={linkedCode} onSignIn={async (signIn: SignIn) => setShop(await startSession(signIn))} />;
  return <ShopScreen shop={shop} />;
}

function ShopScreen({ shop }: { shop: Shop }) {
  const [page, setPage] = useState<Page>('shop');
  const orders = useObservable<OrderView[]>(shop.orders$, []);
  const draft = orders.find((order) => order.status === 'draft');
  const add = async (item: CatalogItem) => {
    const id = draft?.id ?? (await shop.createDraft());
    await shop.addItem(id, item.id);
  };
  return (
    <>
      <header>
        <h1>Pourover</h1>
        <StatusBar shop={shop} />
        <nav aria-label="Main">
          {(['shop', 'orders', 'profile', 'devices'] as const).map((name) => (
            <button type="button" key={name} aria-current={page === name ? 'page' : undefined} onClick={() => setPage(name)}>
              {{ shop: 'Shop', orders: 'Orders', profile: 'Profile', devices: 'Devices' }[name]}
            </button>
          ))}
        </nav>
      </header>
      <Notices shop={shop} />
      <main>
        {page === 'shop' ? (
          <div class="shop">
            <Catalog shop={shop} onAdd={(item) => void add(item)} />
            <DraftEditor shop={shop} draft={draft} />
          </div>
        ) : null}
        {page === 'orders' ? (
          <>
            <AllowNotifications />
            <OrdersList orders={orders} />
          </>
        ) : null}
        {page === 'profile' ? <Profile shop={shop} /> : null}
        {page === 'devices' ? (
          <Suspense fallback={<p>Loading…</p>}>
            <Devices shop={shop} />
          </Suspense>
        ) : null}
      </main>
    </>
  );
}
