import type { OrderView } from '@pourover/orders';
import { describe, expect, it } from 'vitest';
import { timelineOf } from './order-timeline.ts';

const order = (status: OrderView['status'], extra: Partial<OrderView> = {}): OrderView => ({
  id: 'c0ffee00-0000-4000-8000-00000000000b',
  status,
  items: [],
  itemCount: 6,
  totalCents: 12_700,
  note: '',
  slot: null,
  createdTime: '2026-12-05T07:00:00.000Z',
  placedTime: '2026-12-05T07:01:00.000Z',
  receivedTime: '2026-12-05T07:02:00.000Z',
  approveBy: '2026-12-05T07:32:00.000Z',
  steps: [{ status: 'awaitingApproval', at: '2026-12-05T07:02:00.000Z' }],
  ...extra,
});

const labels = (view: OrderView) => timelineOf(view).map((step) => `${step.label}|${step.state}`);

describe('an order held for the store’s approval, on its timeline', () => {
  it('waits now, with the time it is answered by, before it is received', () => {
    const steps = timelineOf(order('awaitingApproval'));
    expect(steps.map((step) => `${step.label}|${step.state}`)).toEqual([
      'Started|done',
      'Placed|done',
      'Waiting for the store’s approval|now',
      'Received by the store|next',
      'Being prepared|next',
      'Ready|next',
      'Out for delivery|next',
      'Delivered|next',
    ]);
    expect(steps[2]?.detail).toMatch(/^The store approves larger orders itself\. It is answered by .+, or not accepted and refunded\.$/);
  });

  it('shows it approved, then received; or not accepted with the reason and the refund', () => {
    const approved = order('received', {
      steps: [
        { status: 'awaitingApproval', at: '2026-12-05T07:02:00.000Z' },
        { status: 'received', at: '2026-12-05T07:10:00.000Z' },
      ],
    });
    expect(labels(approved).slice(2, 4)).toEqual(['Approved by the store|done', 'Received by the store|done']);
    const timedOut = order('rejected', {
      rejectReason: 'the store did not approve the order in time',
      refundedTime: '2026-12-05T07:33:00.000Z',
      steps: [
        { status: 'awaitingApproval', at: '2026-12-05T07:02:00.000Z' },
        { status: 'rejected', at: '2026-12-05T07:32:00.000Z' },
      ],
    });
    expect(timelineOf(timedOut).slice(2)).toEqual([
      { label: 'Waited for the store’s approval', at: '2026-12-05T07:02:00.000Z', state: 'done' },
      {
        label: 'Not accepted by the store',
        at: '2026-12-05T07:32:00.000Z',
        detail: 'the store did not approve the order in time',
        state: 'failed',
      },
      { label: 'Refunded', at: '2026-12-05T07:33:00.000Z', state: 'done' },
    ]);
  });
});
