import type { OrderView, Shop } from '@pourover/orders';
import type { CatalogItem } from '@pourover/schemas';
import { memo } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { formatCents } from './format.ts';
import { useObservable } from './use-observable.ts';

type Category = 'all' | 'coffee' | 'gear';

const categories: { id: Category; href: string; label: string }[] = [
  { id: 'all', href: '/', label: 'Everything' },
  { id: 'coffee', href: '/coffee', label: 'Coffee' },
  { id: 'gear', href: '/gear', label: 'Brewing gear' },
];

/** Coffee is sold as beans; everything else is gear to brew it with. */
const categoryOf = (item: CatalogItem): Exclude<Category, 'all'> => (item.kind === 'coffee' ? 'coffee' : 'gear');

/**
 * The items the catalog's first render shows, enough to fill a phone's screen; the rest follow a task later. The
 * whole list at once made the signed-in shop's first render one of its longest tasks under Lighthouse's slowdown.
 */
const FIRST_RENDER_ITEMS = 4;

/** Whether every word of the query is in the item's name or description, ignoring case and accents. */
export function matches(item: Pick<CatalogItem, 'name' | 'description'>, query: string): boolean {
  const fold = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  const haystack = fold(`${item.name} ${item.description}`);
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** The catalog: coffee and gear apart, searchable by name and description, each with its photo and an Add button. */
export const Catalog = memo(function Catalog({
  shop,
  category,
  draft,
  onAdd,
}: {
  shop: Shop;
  category: Category;
  draft: OrderView | undefined;
  onAdd: (item: CatalogItem) => void;
}) {
  const items = useObservable(shop.catalog$, []);
  const [query, setQuery] = useState('');
  const whole = useWholeList(items.length > 0);
  const shown = items.filter((item) => item.available && (category === 'all' || categoryOf(item) === category) && matches(item, query));
  const inOrder = new Map(draft?.items.map((line) => [line.itemId, line.count]));
  const groups = (['coffee', 'gear'] as const).filter((group) => category === 'all' || category === group);
  let position = 0;
  return (
    <section class="catalog" aria-labelledby="catalog-heading">
      <div class="catalog-top">
        <h1 id="catalog-heading">{category === 'gear' ? 'Brewing gear' : category === 'coffee' ? 'Coffee' : 'Coffee and gear'}</h1>
        <nav aria-label="Categories" class="categories">
          {categories.map((entry) => (
            <a key={entry.id} href={entry.href} aria-current={entry.id === category ? 'page' : undefined}>
              {entry.label}
            </a>
          ))}
        </nav>
        <label class="search" for="search">
          Search coffee and gear
        </label>
        <input
          id="search"
          type="search"
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
          placeholder="e.g. chocolate, kettle"
        />
      </div>
      {items.length === 0 ? <p role="status">Loading the catalog…</p> : null}
      {items.length > 0 && shown.length === 0 ? <p role="status">Nothing matches “{query}”. Try another word.</p> : null}
      {groups.map((group) => {
        const inGroup = shown.filter((item) => categoryOf(item) === group);
        if (inGroup.length === 0) return null;
        // With one category shown, the page's heading names it; with both, each has its own.
        const Group = category === 'all' ? 'section' : 'div';
        const ItemHeading = category === 'all' ? 'h3' : 'h2';
        return (
          <Group key={group} aria-labelledby={category === 'all' ? `${group}-heading` : undefined}>
            {category === 'all' ? <h2 id={`${group}-heading`}>{group === 'coffee' ? 'Coffee' : 'Brewing gear'}</h2> : null}
            <ul class="items">
              {inGroup.map((item) => {
                position += 1;
                if (!whole && position > FIRST_RENDER_ITEMS) return null;
                const count = inOrder.get(item.id) ?? 0;
                return (
                  <li class="item" key={item.id}>
                    <img
                      src={`/images/${item.image}`}
                      alt=""
                      width={240}
                      height={240}
                      loading={position <= 4 ? 'eager' : 'lazy'}
                      decoding="async"
                    />
                    <div class="item-text">
                      <ItemHeading>{item.name}</ItemHeading>
                      <p class="description">{item.description}</p>
                    </div>
                    <div class="item-buy">
                      <p class="price">{formatCents(item.priceCents)}</p>
                      <button type="button" class="primary" onClick={() => onAdd(item)} aria-label={`Add ${item.name} to your order`}>
                        Add
                      </button>
                    </div>
                    {count > 0 ? <p class="in-order">{count} in your order</p> : null}
                  </li>
                );
              })}
            </ul>
          </Group>
        );
      })}
    </section>
  );
});

/** Whether the whole list is shown: false for the first render with items, true from a task later. */
function useWholeList(loaded: boolean): boolean {
  const [whole, setWhole] = useState(false);
  useEffect(() => {
    if (!loaded || whole) return undefined;
    const timer = setTimeout(() => setWhole(true), 0);
    return () => clearTimeout(timer);
  }, [loaded, whole]);
  return whole;
}
