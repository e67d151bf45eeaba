import type { CatalogItem, Order } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { orderViews, type OrderSources } from './order-view.ts';

const item = (id: string, priceCents: number): CatalogItem => ({ id, name: `Item ${id}`, description: '', kind: 'coffee', priceCents, image: 'a'.repeat(64), available: true });

const order = (id: string, status: Order['status'], count: number, createdTime: string): Order =>
  ({ id, status, ydoc: '', lines: [{ itemId: 'beans', count }], itemCount: count, totalCents: 0, note: '', slotId: null, createdTime }) as unknown as Order;

const viewOf = (list: ReturnType<typeof orderViews>, id: string) => list.find((view) => view.id === id);

describe('the order views', () => {
  const catalog = new Map([['beans', item('beans', 1_500)]]);
  const sources: OrderSources = {
    drafts: [order('draft', 'draft', 1, '2026-11-24T10:00:00.000Z')],
    placed: [],
    processed: [order('old', 'received', 2, '2026-11-20T10:00:00.000Z'), order('older', 'received', 3, '2026-11-10T10:00:00.000Z')],
    catalog,
    slots: new Map(),
  };

  it('keep the view of each order that did not change, and make the edited one again', () => {
    const before = orderViews(sources);
    const after = orderViews({ ...sources, drafts: [order('draft', 'draft', 4, '2026-11-24T10:00:00.000Z')] });

    expect(after.map((view) => view.id)).toEqual(['draft', 'old', 'older']);
    expect(viewOf(after, 'draft')?.items).toEqual([{ itemId: 'beans', name: 'Item beans', priceCents: 1_500, count: 4, lineCents: 6_000 }]);
    expect(viewOf(after, 'old')).toBe(viewOf(before, 'old'));
    expect(viewOf(after, 'older')).toBe(viewOf(before, 'older'));
  });

  it('are all made again with a new catalog', () => {
    const before = orderViews(sources);
    const after = orderViews({ ...sources, catalog: new Map([['beans', item('beans', 1_700)]]) });

    expect(viewOf(after, 'old')).not.toBe(viewOf(before, 'old'));
    expect(viewOf(after, 'old')?.items[0]).toMatchObject({ priceCents: 1_700, lineCents: 3_400 });
  });
});
