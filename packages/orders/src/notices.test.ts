import type { OrderStatus } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { noticesOf, type NoticeOptions } from './notices.ts';
import type { OrderView } from './order-view.ts';

const MINUTE = 60_000;
const SLOT_END = '2026-11-20T12:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

const order = (id: string, status: OrderStatus, extra: Partial<OrderView> = {}): OrderView => ({
  id,
  status,
  items: [],
  itemCount: 1,
  totalCents: 1_500,
  note: '',
  slot: { id: 'slot', start: '2026-11-20T11:00:00.000Z', end: SLOT_END, capacity: 10, taken: 1, cutoff: '2026-11-20T10:00:00.000Z' },
  createdTime: '2026-11-20T09:00:00.000Z',
  placedTime: '2026-11-20T09:01:00.000Z',
  steps: [],
  ...extra,
});

const options = (now: number, dismissed: string[] = []): NoticeOptions => ({
  now,
  unreceivedAfterMs: 15 * MINUTE,
  lateAfterMs: 15 * MINUTE,
  recentMs: 3 * 24 * 60 * MINUTE,
  dismissed: new Set(dismissed),
});

const kinds = (orders: OrderView[], now: number, dismissed: string[] = []) =>
  noticesOf(orders, options(now, dismissed)).map((notice) => `${notice.kind}:${'orderId' in notice ? notice.orderId : ''}`);

describe('the notices of an order’s fulfilment', () => {
  it('tell of a late delivery once the slot ended more than the grace ago, until the order is delivered', () => {
    const onTheWay = order('a', 'outForDelivery', { steps: [{ status: 'outForDelivery', at: '2026-11-20T11:30:00.000Z' }] });
    expect(kinds([onTheWay], at(SLOT_END) + 14 * MINUTE)).toEqual([]);
    expect(noticesOf([onTheWay], options(at(SLOT_END) + 16 * MINUTE))).toEqual([
      { kind: 'late', key: 'late:a', orderId: 'a', slotEnd: SLOT_END, lateMs: 16 * MINUTE },
    ]);
    for (const status of ['received', 'preparing', 'ready'] as const)
      expect(kinds([order('a', status)], at(SLOT_END) + 16 * MINUTE)).toEqual(['late:a']);
    for (const status of ['delivered', 'cancelled', 'draft', 'placing'] as const)
      expect(kinds([order('a', status)], at(SLOT_END) + 16 * MINUTE)).toEqual([]);
    expect(kinds([onTheWay], at(SLOT_END) + 16 * MINUTE, ['late:a'])).toEqual([]);
  });

  it('tell of a rejection and of the store’s cancellation with their reasons, while recent', () => {
    const rejected = order('r', 'rejected', {
      rejectReason: 'the slot is full',
      steps: [{ status: 'rejected', at: '2026-11-20T09:02:00.000Z' }],
    });
    const byStore = order('s', 'cancelled', {
      cancelReason: 'the grinder broke',
      cancelledBy: 'store',
      steps: [
        { status: 'received', at: '2026-11-20T09:02:00.000Z' },
        { status: 'cancelled', at: '2026-11-20T09:30:00.000Z' },
      ],
    });
    const byShopper = order('c', 'cancelled', {
      cancelReason: 'plans changed',
      cancelledBy: 'shopper',
      steps: [{ status: 'cancelled', at: '2026-11-20T09:30:00.000Z' }],
    });
    const now = at('2026-11-20T10:00:00.000Z');

    expect(noticesOf([rejected, byStore, byShopper], options(now))).toEqual([
      { kind: 'rejected', key: 'rejected:r', orderId: 'r', reason: 'the slot is full' },
      { kind: 'storeCancelled', key: 'cancelled:s', orderId: 's', reason: 'the grinder broke' },
    ]);
    expect(kinds([rejected, byStore], now, ['rejected:r'])).toEqual(['storeCancelled:s']);
    expect(kinds([rejected, byStore], at('2026-11-23T09:31:00.000Z'))).toEqual([]);
  });

  it('tell of a refused cancellation with its reason, and of each refusal anew', () => {
    const answer = { outcome: 'refused', reason: 'the order is already out for delivery', at: '2026-11-20T11:40:00.000Z' } as const;
    const refused = order('o', 'outForDelivery', { cancelRequest: { state: 'refused', answer } });
    const now = at('2026-11-20T11:45:00.000Z');

    expect(noticesOf([refused], options(now))).toEqual([
      { kind: 'cancelRefused', key: `cancelRefused:o:${answer.at}`, orderId: 'o', reason: answer.reason },
    ]);
    expect(kinds([refused], now, [`cancelRefused:o:${answer.at}`])).toEqual([]);
    const again = { ...refused, cancelRequest: { state: 'refused', answer: { ...answer, at: '2026-11-20T11:44:00.000Z' } } } as const;
    expect(kinds([again], now, [`cancelRefused:o:${answer.at}`])).toEqual(['cancelRefused:o']);
    for (const state of ['waiting', 'accepted'] as const) {
      const request = state === 'waiting' ? { state } : { state, answer: { ...answer, outcome: state } };
      expect(kinds([{ ...refused, cancelRequest: request }], now)).toEqual([]);
    }
  });
});
