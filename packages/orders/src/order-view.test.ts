import type { CatalogItem, Order, OrderRequest } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { orderLists, type OrderSources, type OrderView } from './order-view.ts';

const item = (id: string, priceCents: number): CatalogItem => ({
  id,
  name: `Item ${id}`,
  description: '',
  kind: 'coffee',
  priceCents,
  image: 'a'.repeat(64),
  available: true,
});

const order = (id: string, status: Order['status'], count: number, createdTime: string): Order =>
  ({
    id,
    status,
    ydoc: '',
    lines: [{ itemId: 'beans', count }],
    itemCount: count,
    totalCents: 0,
    note: '',
    slotId: null,
    createdTime,
  }) as unknown as Order;

const viewOf = (list: OrderView[], id: string) => list.find((view) => view.id === id);
const statuses = (list: OrderView[]) => list.map((view) => `${view.id}:${view.status}`);

describe('the order lists', () => {
  const catalog = new Map([['beans', item('beans', 1_500)]]);
  const sources: OrderSources = {
    drafts: [order('draft', 'draft', 1, '2026-11-24T10:00:00.000Z'), order('oldest-draft', 'draft', 1, '2026-11-01T10:00:00.000Z')],
    placed: [order('placed', 'placed', 1, '2026-11-22T10:00:00.000Z')],
    processed: [order('old', 'received', 2, '2026-11-20T10:00:00.000Z'), order('older', 'received', 3, '2026-11-10T10:00:00.000Z')],
    catalog,
    slots: new Map(),
    requests: new Map(),
  };

  it('show every order once, newest first, where it went furthest', () => {
    const list = orderLists();
    expect(statuses(list(sources))).toEqual(['draft:draft', 'placed:placed', 'old:received', 'older:received', 'oldest-draft:draft']);

    // The draft is placed, and the placed order received, while sync applies the moves.
    const moving = {
      ...sources,
      drafts: [...sources.drafts, order('placed', 'draft', 1, '2026-11-22T10:00:00.000Z')],
      processed: [order('placed', 'received', 1, '2026-11-22T10:00:00.000Z'), ...sources.processed],
    };
    expect(statuses(list(moving))).toEqual(['draft:draft', 'placed:received', 'old:received', 'older:received', 'oldest-draft:draft']);
  });

  it('keep the view of each order that did not change, and make the edited one again', () => {
    const list = orderLists();
    const before = list(sources);
    const after = list({ ...sources, drafts: [order('draft', 'draft', 4, '2026-11-24T10:00:00.000Z'), ...sources.drafts.slice(1)] });

    expect(viewOf(after, 'draft')?.items).toEqual([{ itemId: 'beans', name: 'Item beans', priceCents: 1_500, count: 4, lineCents: 6_000 }]);
    for (const id of ['placed', 'old', 'older', 'oldest-draft']) expect(viewOf(after, id)).toBe(viewOf(before, id));
  });

  it('make every view again with a new catalog', () => {
    const list = orderLists();
    const before = list(sources);
    const after = list({ ...sources, catalog: new Map([['beans', item('beans', 1_700)]]) });

    expect(viewOf(after, 'old')).not.toBe(viewOf(before, 'old'));
    expect(viewOf(after, 'old')?.items[0]).toMatchObject({ priceCents: 1_700, lineCents: 3_400 });
  });

  it('show the steps with their times, the driver, the cancellation and the refund', () => {
    const steps = [
      { status: 'received', at: '2026-11-20T10:01:00.000Z' },
      { status: 'preparing', at: '2026-11-20T10:05:00.000Z' },
      { status: 'cancelled', at: '2026-11-20T10:07:00.000Z' },
    ] as const;
    const cancelled = {
      ...order('old', 'cancelled', 2, '2026-11-20T10:00:00.000Z'),
      steps: [...steps],
      driverId: 'drivers:dana',
      cancelReason: 'out of beans',
      cancelledBy: 'store',
      refundedTime: '2026-11-20T10:08:00.000Z',
    } satisfies Order;
    const shown = viewOf(orderLists()({ ...sources, processed: [cancelled] }), 'old');

    expect(shown).toMatchObject({
      status: 'cancelled',
      steps,
      driverId: 'drivers:dana',
      cancelReason: 'out of beans',
      cancelledBy: 'store',
      refundedTime: '2026-11-20T10:08:00.000Z',
    });
    expect(shown?.cancelRequest).toBeUndefined();
    expect(viewOf(orderLists()(sources), 'placed')?.steps).toEqual([]);
  });

  it('show where a request to cancel stands: waiting, then the answer', () => {
    const list = orderLists();
    const asked: OrderRequest = { id: 'old', kind: 'cancel', reason: 'plans changed' };
    const waiting = list({ ...sources, requests: new Map([['old', asked]]) });
    expect(viewOf(waiting, 'old')?.cancelRequest).toEqual({ state: 'waiting', reason: 'plans changed' });
    expect(viewOf(waiting, 'older')).toBe(viewOf(list(sources), 'older'));

    const answer = { outcome: 'refused', reason: 'the order is already out for delivery', at: '2026-11-20T11:00:00.000Z' } as const;
    const refused = list({ ...sources, requests: new Map([['old', { ...asked, answer }]]) });
    expect(viewOf(refused, 'old')?.cancelRequest).toEqual({ state: 'refused', reason: 'plans changed', answer });

    const accepted = list({
      ...sources,
      requests: new Map([['old', { id: 'old', kind: 'cancel', answer: { ...answer, outcome: 'accepted' } }]]),
    });
    expect(viewOf(accepted, 'old')?.cancelRequest).toEqual({ state: 'accepted', answer: { ...answer, outcome: 'accepted' } });
  });
});
