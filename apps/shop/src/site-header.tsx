import type { OrderView, Shop } from '@pourover/orders';
import type { SyncStatus } from '@pourover/replica';
import { formatCents, plural } from './format.ts';
import type { Route } from './routes.ts';
import { StatusBar } from './status-bar.tsx';

const sections = [
  { href: '/', label: 'Shop', current: (route: Route) => route.screen === 'shop' },
  { href: '/orders', label: 'Orders', current: (route: Route) => route.screen === 'orders' || route.screen === 'order-page' },
  { href: '/profile', label: 'Profile', current: (route: Route) => route.screen === 'profile' },
  { href: '/devices', label: 'Devices', current: (route: Route) => route.screen === 'devices' },
];

/** The header that stays at the top while the shopper scrolls: the sections, the basket's count and total, and the sync status. */
export function SiteHeader({ route, draft, status, shop }: { route: Route; draft: OrderView | undefined; status: SyncStatus; shop: Shop }) {
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
        <a class="basket" href="/order" aria-current={route.screen === 'order' ? 'page' : undefined} aria-label={`Your order: ${plural(count, 'item')}, ${formatCents(draft?.totalCents ?? 0)}`}>
          <span aria-hidden="true">Order</span>
          <span class="basket-count" aria-hidden="true">
            {count}
          </span>
          <span class="basket-total" aria-hidden="true">
            {formatCents(draft?.totalCents ?? 0)}
          </span>
        </a>
      </div>
      <StatusBar status={status} shop={shop} />
    </header>
  );
}
