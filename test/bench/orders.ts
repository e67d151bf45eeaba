import { derivedFields, editDraft, emptyDraftUpdate, type CatalogItem, type Order } from '@pourover/schemas';

/** A deterministic stream of pseudo-random numbers, so both sides of a comparison get the same documents. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state % n;
  };
}

/** Realistic orders: 3–10 items from the catalog, a note, a Yjs document, derived totals. */
export function makeOrders(count: number, catalog: readonly CatalogItem[], status: Order['status'], seed = 1): Order[] {
  const pick = seeded(seed);
  const prices = new Map(catalog.map((item) => [item.id, item.priceCents]));
  return Array.from({ length: count }, (_, i) => {
    const lines = 3 + pick(8);
    const chosen = new Set<string>();
    while (chosen.size < Math.min(lines, catalog.length)) chosen.add(catalog[pick(catalog.length)]!.id);
    const ydoc = editDraft(emptyDraftUpdate(), [
      ...[...chosen].map((itemId) => ({ kind: 'setCount' as const, itemId, count: 1 + pick(3) })),
      { kind: 'setNote', note: `order ${i}: leave with the front desk` },
    ]);
    const id = `0000${seed.toString(16).padStart(4, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    return {
      id,
      status,
      ydoc,
      ...derivedFields(ydoc, (item) => prices.get(item)),
      createdTime: new Date(1_790_000_000_000 + i).toISOString(),
    };
  });
}
