import type { OrderView } from '@pourover/orders';
import { describe, expect, it } from 'vitest';
import { timelineOf } from './order-timeline.ts';

const order = (status: OrderView['status'], extra: Partial<OrderView> = {}): OrderView => ({
  id: 'c0ffee00-0000-4000-8000-00000000000a',
  status,
  items: [],
  itemCount: 1,
  totalCents: 2_100,
  note: '',
  slot: {
    id: 'slot',
    start: '2026-12-05T09:00:00.000Z',
    end: '2026-12-05T11:00:00.000Z',
    capacity: 8,
    taken: 1,
    cutoff: '2026-12-05T08:00:00.000Z',
  },
  createdTime: '2026-12-05T07:00:00.000Z',
  placedTime: '2026-12-05T07:01:00.000Z',
  steps: [],
  ...extra,
});

const shown = (view: OrderView) => timelineOf(view).map((step) => `${step.label}|${step.state}|${step.at ?? ''}|${step.detail ?? ''}`);

describe('an order’s timeline', () => {
  it('shows each step the store stamped with its time, the driver on the way, and what comes next', () => {
    const onTheWay = order('outForDelivery', {
      receivedTime: '2026-12-05T07:02:00.000Z',
      steps: [
        { status: 'received', at: '2026-12-05T07:02:00.000Z' },
        { status: 'preparing', at: '2026-12-05T08:10:00.000Z' },
        { status: 'ready', at: '2026-12-05T08:40:00.000Z' },
        { status: 'outForDelivery', at: '2026-12-05T09:05:00.000Z' },
      ],
    });
    expect(shown(onTheWay)).toEqual([
      'Started|done|2026-12-05T07:00:00.000Z|',
      'Placed|done|2026-12-05T07:01:00.000Z|',
      'Received by the store|done|2026-12-05T07:02:00.000Z|',
      'Being prepared|done|2026-12-05T08:10:00.000Z|',
      'Ready|done|2026-12-05T08:40:00.000Z|',
      'Out for delivery|done|2026-12-05T09:05:00.000Z|Your driver is on the way.',
      expect.stringMatching(/^Delivered\|next\|\|.+–.+/),
    ]);
  });

  it('waits for the store while placed, and shows an order received before steps existed by its receipt', () => {
    expect(shown(order('placed')).slice(2, 4)).toEqual(['Received by the store|now||', 'Being prepared|next||']);
    expect(shown(order('received', { receivedTime: '2026-12-05T07:02:00.000Z' })).slice(2, 4)).toEqual([
      'Received by the store|done|2026-12-05T07:02:00.000Z|',
      'Being prepared|next||',
    ]);
  });

  it('ends a cancelled or rejected order with who ended it, the reason and the refund', () => {
    const cancelled = order('cancelled', {
      cancelReason: 'plans changed',
      cancelledBy: 'shopper',
      refundedTime: '2026-12-05T07:31:00.000Z',
      steps: [
        { status: 'received', at: '2026-12-05T07:02:00.000Z' },
        { status: 'cancelled', at: '2026-12-05T07:30:00.000Z' },
      ],
    });
    expect(shown(cancelled).slice(2)).toEqual([
      'Received by the store|done|2026-12-05T07:02:00.000Z|',
      'Cancelled at your request|failed|2026-12-05T07:30:00.000Z|plans changed',
      'Refunded|done|2026-12-05T07:31:00.000Z|',
    ]);
    const byStore = { ...cancelled, cancelledBy: 'store', cancelReason: 'the grinder broke' } as const;
    expect(shown(byStore)[3]).toBe('Cancelled by the store|failed|2026-12-05T07:30:00.000Z|the grinder broke');
    const rejected = order('rejected', {
      rejectReason: 'the slot is full',
      steps: [{ status: 'rejected', at: '2026-12-05T07:02:00.000Z' }],
    });
    expect(shown(rejected).slice(2)).toEqual(['Not accepted by the store|failed|2026-12-05T07:02:00.000Z|the slot is full']);
  });
});
