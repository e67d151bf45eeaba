import type { Shop } from '@pourover/orders';
import type { CatalogItem } from '@pourover/schemas';
import { useState } from 'preact/hooks';
import { formatCents } from './format.ts';
import { useObservable } from './use-observable.ts';

/** The catalog with images (served by hash, cached for offline use), searchable by name. */
export function Catalog({ shop, onAdd }: { shop: Shop; onAdd: (item: CatalogItem) => void }) {
  const items = useObservable(shop.catalog$, []);
  const [query, setQuery] = useState('');
  const shown = items.filter((item) => item.available && item.name.toLowerCase().includes(query.trim().toLowerCase()));
  return (
    <section class="catalog" aria-labelledby="catalog-heading">
      <h2 id="catalog-heading">Coffee and gear</h2>
      <label class="search">
        Search by name
        <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} placeholder="e.g. espresso" />
      </label>
      {shown.length === 0 ? <p>{items.length === 0 ? 'Loading the catalog…' : 'Nothing matches your search.'}</p> : null}
      <ul class="items">
        {shown.map((item) => (
          <li class="item" key={item.id}>
            <img src={`/images/${item.image}.svg`} alt="" width={96} height={96} loading="lazy" />
            <div>
              <h3>{item.name}</h3>
              <p>{item.description}</p>
              <p class="price">{formatCents(item.priceCents)}</p>
            </div>
            <button type="button" onClick={() => onAdd(item)} aria-label={`Add ${item.name} to your order`}>
              Add
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
