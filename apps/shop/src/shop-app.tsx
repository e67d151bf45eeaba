import type { OrderView, Shop } from '@pourover/orders';
import type { CatalogItem } from '@pourover/schemas';
import { lazy, Suspense } from 'preact/compat';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { AddedToast } from './added-toast.tsx';
import { AllowNotifications } from './allow-notifications.tsx';
import { Catalog } from './catalog.tsx';
import { DraftEditor } from './draft-editor.tsx';
import { Notices } from './notices.tsx';
import { OrderPage } from './order-page.tsx';
import { OrdersList } from './orders-list.tsx';
import { Profile } from './profile.tsx';
import { useRoute } from './router.ts';
import type { Route } from './routes.ts';
import { resumeSession } from './session.ts';
import { SiteHeader } from './site-header.tsx';
import { useObservable } from './use-observable.ts';
import { explain } from './words/error-words.ts';

/** Pairing and the device list are rarely opened, so they and the QR encoder load on first use. */
const Devices = lazy(() => import('./devices.tsx'));

/** The signed-in shop: opens the device's database (or takes the one a sign-in just opened) and shows the screen the address names. */
export default function ShopApp({ signedIn, onSignedOut }: { signedIn?: Shop | undefined; onSignedOut: () => void }) {
  const [shop, setShop] = useState<Shop | undefined>(signedIn);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!signedIn) resumeSession().then(setShop, (failure: unknown) => setError(explain(failure).sentence));
  }, [signedIn]);
  if (error)
    return (
      <main>
        <p class="error" role="alert">
          {error}
        </p>
      </main>
    );
  if (!shop)
    return (
      <main>
        <p role="status">Opening your shop…</p>
      </main>
    );
  return <ShopScreens shop={shop} onSignedOut={onSignedOut} />;
}

function ShopScreens({ shop, onSignedOut }: { shop: Shop; onSignedOut: () => void }) {
  const route = useRoute();
  const loaded = useObservable<OrderView[] | null>(shop.orders$, null);
  const orders = loaded ?? [];
  const [added, setAdded] = useState<{ item: CatalogItem; at: number } | null>(null);
  const draft = orders.find((order) => order.status === 'draft');
  const draftId = useRef<string | undefined>(undefined);
  draftId.current = draft?.id;
  // One function for the page's life, so the catalog renders again only when what it shows changes.
  const add = useCallback(
    (item: CatalogItem) =>
      void (async () => {
        const id = draftId.current ?? (await shop.createDraft());
        await shop.addItem(id, item.id);
        setAdded({ item, at: Date.now() });
      })(),
    [shop],
  );
  useEffect(() => {
    document.title = `${titleOf(route)} · Pourover`;
  }, [route]);
  return (
    <>
      <SiteHeader route={route} draft={draft} shop={shop} />
      <Notices shop={shop} />
      <main id="main">
        {route.screen === 'shop' ? <Catalog shop={shop} category={route.category} draft={draft} onAdd={add} /> : null}
        {route.screen === 'order' ? loaded ? <DraftEditor shop={shop} draft={draft} /> : <p role="status">Opening your order…</p> : null}
        {route.screen === 'orders' ? (
          <>
            <AllowNotifications />
            <OrdersList orders={orders} />
          </>
        ) : null}
        {route.screen === 'order-page' ? (
          loaded ? (
            <OrderPage shop={shop} order={orders.find((order) => order.id === route.id)} placed={route.placed} />
          ) : (
            <p role="status">Opening your order…</p>
          )
        ) : null}
        {route.screen === 'profile' ? <Profile shop={shop} onSignedOut={onSignedOut} /> : null}
        {route.screen === 'devices' ? (
          <Suspense fallback={<p role="status">Loading your devices…</p>}>
            <Devices shop={shop} />
          </Suspense>
        ) : null}
        {route.screen === 'not-found' || route.screen === 'owner' || route.screen === 'driver' ? <NotFound /> : null}
      </main>
      {added ? <AddedToast key={added.at} item={added.item} draft={draft} onClose={() => setAdded(null)} /> : null}
    </>
  );
}

function titleOf(route: Route): string {
  switch (route.screen) {
    case 'shop':
      return { all: 'Shop', coffee: 'Coffee', gear: 'Brewing gear' }[route.category];
    case 'order':
      return 'Your order';
    case 'orders':
      return 'Your orders';
    case 'order-page':
      return 'Order';
    case 'profile':
      return 'Your profile';
    case 'devices':
      return 'Your devices';
    case 'owner':
    case 'driver':
    case 'not-found':
      return 'Not found';
  }
}

function NotFound() {
  return (
    <section aria-labelledby="missing-heading">
      <h1 id="missing-heading">There is no page here</h1>
      <p>
        The address may be mistyped, or the page moved. <a href="/">Go to the shop</a>.
      </p>
    </section>
  );
}
