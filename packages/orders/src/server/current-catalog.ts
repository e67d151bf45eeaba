import { STORE } from '@pourover/schemas';
import type { Store } from '@pourover/sync-server/app';

/** What the order rules read of one catalog item. */
export type CatalogEntry = { name: string; priceCents: number; available: boolean; live: boolean };

/**
 * The catalog as the order rules see it: every item it ever held (a
 * removed one too, so a draft that holds it stays readable), with its
 * price and whether it can be ordered now.
 */
export type Catalog = {
  entry(itemId: string): CatalogEntry | undefined;
  /** The price of an item, for deriving totals. */
  priceOf(itemId: string): number | undefined;
};

/** Each store's catalog as last read, and the position of the catalog's latest change then. */
const read = new WeakMap<Store, { seq: number; catalog: Catalog }>();

function catalogOf(entries: Map<string, CatalogEntry>): Catalog {
  return { entry: (itemId) => entries.get(itemId), priceOf: (itemId) => entries.get(itemId)?.priceCents };
}

/**
 * The catalog as it stands. Every pushed draft needs it (to price it and
 * check its items); it is read again only when it has changed since the
 * last read.
 */
export async function currentCatalog(store: Store): Promise<Catalog> {
  const last = read.get(store);
  if (last && (await store.collectionHead(STORE, 'catalog')) === last.seq) return last.catalog;
  const items = await store.pull(STORE, 'catalog', 0, 10_000);
  const entries = new Map<string, CatalogEntry>();
  for (const { document } of items) {
    entries.set(document.id, {
      name: String(document['name']),
      priceCents: Number(document['priceCents']),
      available: document['available'] === true && !document._deleted,
      live: !document._deleted,
    });
  }
  const catalog = catalogOf(entries);
  read.set(store, { seq: items.at(-1)?.seq ?? 0, catalog });
  return catalog;
}
