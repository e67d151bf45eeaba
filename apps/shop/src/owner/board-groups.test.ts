import type { Order, OrderStatus } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { currentStep, deliveryBoard, leaseState, mergeRows, prepBoard, queueHealth, type BoardRow } from './board-groups.ts';

let serial = 0;
/** An order on the board: `status`, placed at minute `placedAt` of an hour, with the rest as given. */
function row(status: OrderStatus, placedAt: number, more: Partial<Order> = {}, replica = 'bluebottle:users:alice'): BoardRow {
  const id = `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
  const at = (minute: number) => `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const order: Order = {
    id,
    status,
    lines: [{ itemId: '11111111-1111-4111-8111-111111111111', count: 2, unitCents: 450 }],
    itemCount: 2,
    totalCents: 900,
    note: '',
    slotId: null,
    ydoc: '',
    createdTime: at(placedAt),
    placedTime: at(placedAt),
    ...(status === 'placed' ? {} : { receivedTime: at(placedAt + 1), steps: [{ status: 'received', at: at(placedAt + 1) }] }),
    ...more,
  };
  return { replica, order, state: { ...order, _deleted: false } };
}

const ids = (rows: BoardRow[]) => rows.map((r) => r.order.id);

describe('the Orders board', () => {
  it('puts each order under its step, oldest placed first, and counts those out for delivery apart', () => {
    const late = row('received', 20);
    const early = row('received', 5);
    const making = row('preparing', 1);
    const ready = row('ready', 2);
    const out = row('outForDelivery', 3);
    const waiting = row('placed', 30);
    const board = prepBoard([late, making, waiting, early, ready, out]);
    expect(ids(board.stages.received)).toEqual(ids([early, late]));
    expect(ids(board.stages.preparing)).toEqual(ids([making]));
    expect(ids(board.stages.ready)).toEqual(ids([ready]));
    expect(ids(board.stages.placed)).toEqual(ids([waiting]));
    expect(board.outForDelivery).toBe(1);
    expect(board.done).toEqual([]);
  });

  it('lists ended orders newest ended first, at most as many as it shows, and counts them all', () => {
    const step = (status: OrderStatus, minute: number) => ({
      steps: [{ status, at: `2026-12-05T11:${String(minute).padStart(2, '0')}:00.000Z` }],
    });
    const delivered = row('delivered', 1, step('delivered', 30));
    const cancelled = row('cancelled', 2, step('cancelled', 50));
    const rejected = row('rejected', 3, step('rejected', 10));
    const board = prepBoard([delivered, cancelled, rejected], 2);
    expect(ids(board.done)).toEqual(ids([cancelled, delivered]));
    expect(board.doneCount).toBe(3);
  });

  it('shows an order once when both watches hold it for a moment: the processed one', () => {
    const placed = row('placed', 1);
    const processed: BoardRow = { ...placed, order: { ...placed.order, status: 'received' } };
    expect(mergeRows([placed], [processed])).toEqual([processed]);
  });

  it('names the step an order is at and when it got there', () => {
    const moved = row('preparing', 1, {
      steps: [
        { status: 'received', at: '2026-12-05T10:02:00.000Z' },
        { status: 'preparing', at: '2026-12-05T10:09:00.000Z' },
      ],
    });
    expect(currentStep(moved.order)).toEqual({ status: 'preparing', at: '2026-12-05T10:09:00.000Z' });
    expect(currentStep(row('placed', 7).order)).toEqual({ status: 'placed', at: '2026-12-05T10:07:00.000Z' });
  });
});

describe('the Deliveries board', () => {
  it('splits ready orders by whether they have a driver, keeps those on the road apart, soonest slot first', () => {
    const slots: Record<string, string> = { soon: '2026-12-05T12:00:00.000Z', later: '2026-12-05T15:00:00.000Z' };
    const laterSlot = row('ready', 1, { slotId: 'later' as Order['slotId'] });
    const soonSlot = row('ready', 9, { slotId: 'soon' as Order['slotId'] });
    const noSlot = row('ready', 0);
    const withDriver = row('ready', 2, { driverId: 'dana' });
    const out = row('outForDelivery', 3, { driverId: 'dana' });
    const board = deliveryBoard([laterSlot, noSlot, withDriver, out, soonSlot, row('preparing', 4)], (id) => (id ? slots[id] : undefined));
    expect(ids(board.pending)).toEqual(ids([soonSlot, laterSlot, noSlot]));
    expect(ids(board.assigned)).toEqual(ids([withDriver]));
    expect(ids(board.out)).toEqual(ids([out]));
  });
});

describe('the processor’s health', () => {
  it('counts placed orders not yet processed as its queue, and names the last order it received', () => {
    const waiting = [row('placed', 12), row('placed', 4)];
    const alsoProcessed = row('placed', 1);
    const processed = [
      row('received', 2),
      row('delivered', 8),
      { ...alsoProcessed, order: { ...alsoProcessed.order, status: 'received' as const } },
    ];
    const health = queueHealth([...waiting, alsoProcessed], processed);
    expect(health).toEqual({ waiting: 2, oldestWaiting: '2026-12-05T10:04:00.000Z', lastProcessed: '2026-12-05T10:09:00.000Z' });
    expect(queueHealth([], [])).toEqual({ waiting: 0, oldestWaiting: undefined, lastProcessed: undefined });
  });

  it('judges the lease by the server’s clock: held until its expiry, lapsed after, none when never taken', () => {
    const lease = { holder: 'host:42:abcd', expiresAt: '2026-12-05T10:00:10.000Z' };
    expect(leaseState(lease, '2026-12-05T10:00:05.000Z')).toEqual({ kind: 'held', holder: 'host:42:abcd', until: lease.expiresAt });
    expect(leaseState(lease, '2026-12-05T10:00:11.000Z')).toEqual({ kind: 'lapsed', holder: 'host:42:abcd', since: lease.expiresAt });
    expect(leaseState(null, '2026-12-05T10:00:11.000Z')).toEqual({ kind: 'none' });
  });
});
