import type { OrderView } from '@pourover/orders';
import type { CatalogItem } from '@pourover/schemas';
import { useEffect } from 'preact/hooks';
import { formatCents, plural } from './format.ts';

const SHOWN_MS = 5_000;

/** Tells the shopper, wherever they scrolled to, that an item went into their order, with the way to it. */
export function AddedToast({ item, draft, onClose }: { item: CatalogItem; draft: OrderView | undefined; onClose: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onClose, SHOWN_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div class="toast" role="status">
      <span>
        Added {item.name}. Your order: {plural(draft?.itemCount ?? 1, 'item')}, {formatCents(draft?.totalCents ?? item.priceCents)}.
      </span>
      <a href="/order">View order</a>
    </div>
  );
}
