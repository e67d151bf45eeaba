import type { OrderView, Shop } from '@pourover/orders';
import type { CatalogItem } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { Catalog } from './catalog.tsx';
import { Devices } from './devices.tsx';
import { DraftEditor } from './draft-editor.tsx';
import { explain } from './format.ts';
import { Notices } from './notices.tsx';
import { OrdersList } from './orders-list.tsx';
import { Profile } from './profile.tsx';
import { resumeSession, startSession, type SignIn } from './session.ts';
import { SignInScreen } from './sign-in.tsx';
import { StatusBar } from './status-bar.tsx';
import { useObservable } from './use-observable.ts';

type Page = 'shop' | 'orders' | 'profile' | 'devices';

export function App() {
  const [shop, setShop] = useState<Shop | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    resumeSession().then((resumed) => setShop(resumed ?? null), (failure: unknown) => setError(explain(failure)));
  }, []);
  if (error) return <main><p class="error" role="alert">{error}</p></main>;
  if (shop === undefined) return <main><p>Opening your shop…</p></main>;
  if (shop === null) return <SignInScreen onSignIn={async (signIn: SignIn) => setShop(await startSession(signIn))} />;
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
        {page === 'orders' ? <OrdersList orders={orders} /> : null}
        {page === 'profile' ? <Profile shop={shop} /> : null}
        {page === 'devices' ? <Devices shop={shop} /> : null}
      </main>
    </>
  );
}
