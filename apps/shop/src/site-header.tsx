import type { OrderView, Shop } from '@pourover/orders';
import { useMemo } from 'preact/hooks';
import { formatCents, plural } from './format.ts';
import type { Route } from './routes.ts';
import { StatusBar } from './status-bar.tsx';
import { tabStatus$ } from './tab-status.ts';
import { useObservable } from './use-observable.ts';

/** What the header shows until the device's status is known. */
export const initialStatus = { state: 'connecting' as const, unsent: 0, lastError: null };

const sections = [
  { href: '/', label: 'Shop', current: (route: Route) => route.screen === 'shop' },
  { href: '/orders', label: 'Orders', current: (route: Route) => route.screen === 'orders' || route.screen === 'order-page' },
  { href: '/profile', label: 'Profile', current: (route: Route) => route.screen === 'profile' },
  { href: '/devices', label: 'Devices', current: (route: Route) => route.screen === 'devices' },
];

/** The header that stays at the top while the shopper scrolls: the sections, the basket's count and total, and the sync status. */
export function SiteHeader({ route, draft, shop }: { route: Route; draft: OrderView | undefined; shop: Shop }) {
  const status = useObservable(
    useMemo(() => tabStatus$(shop), [shop]),
    initialStatus,
  );
  const count = draft?.itemCount ?? 0;
  return (
    <header class="site-header">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="bar">
        <a class="brand" href="/">
          Pourover
        </a>
        <nav aria-label="Main">
          {sections.map((section) => (
            <a key={section.href} href={section.href} aria-current={section.current(route) ? 'page' : undefined}>
              {section.label}
            </a>
          ))}
        </nav>
        {/* Its name is what it shows, with the words a screen reader needs: "Order 2 items, $40.00". */}
        <a class="basket" href="/order" aria-current={route.screen === 'order' ? 'page' : undefined}>
          Order{' '}
          <span class="basket-count">
            {count}
            <span class="visually-hidden"> {plural(count, 'item').replace(/^[\d,]+ /, '')},</span>
          </span>{' '}
          <span class="basket-total">{formatCents(draft?.totalCents ?? 0)}</span>
        </a>
      </div>
      <StatusBar status={status} shop={shop} />
    </header>
  );
}
