import { storeMayMove } from '@pourover/orders/lifecycle';
import { orderStatuses } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { movedMeanwhile, movesOn } from './board-moves.ts';
import { boardNews, seenOf } from './board-news.ts';
import type { BoardRow } from './board-groups.ts';

const labels = (status: Parameters<typeof movesOn>[0], board: 'orders' | 'deliveries') => movesOn(status, board).map((move) => move.label);

describe('the moves a board offers', () => {
  it('on the Orders board: start preparing, ready, cancel or reject, each only from where the server allows it', () => {
    expect(labels('received', 'orders')).toEqual(['Start preparing', 'Cancel', 'Reject']);
    expect(labels('preparing', 'orders')).toEqual(['Ready', 'Cancel', 'Reject']);
    expect(labels('ready', 'orders')).toEqual(['Cancel', 'Reject']);
    for (const status of ['placed', 'delivered', 'cancelled', 'rejected'] as const) expect(labels(status, 'orders')).toEqual([]);
  });

  it('on the Deliveries board: out for delivery, delivered, cancel', () => {
    expect(labels('ready', 'deliveries')).toEqual(['Out for delivery', 'Cancel']);
    expect(labels('outForDelivery', 'deliveries')).toEqual(['Delivered', 'Cancel']);
    expect(labels('delivered', 'deliveries')).toEqual([]);
  });

  it('never offers a move the server refuses, and a cancel or reject always asks a reason', () => {
    for (const status of orderStatuses) {
      for (const board of ['orders', 'deliveries'] as const) {
        for (const move of movesOn(status, board)) {
          expect(storeMayMove(status, move.to)).toBe(true);
          expect(move.reason !== undefined).toBe(move.to === 'cancelled' || move.to === 'rejected');
        }
      }
    }
  });
});

describe('a move someone else made first', () => {
  it('is told from the order as it is now', () => {
    const before = { status: 'received' as const };
    expect(movedMeanwhile({ status: 'cancelled', cancelledBy: 'shopper' }, before)).toBe('The shopper cancelled this order meanwhile.');
    expect(movedMeanwhile({ status: 'cancelled', cancelledBy: 'store' }, before)).toMatch(/cancelled meanwhile, from another device/);
    expect(movedMeanwhile({ status: 'preparing' }, before)).toBe('This order became Preparing meanwhile, from another device.');
    expect(movedMeanwhile({ status: 'ready', driverId: 'dana' }, { status: 'ready' })).toMatch(/assigned a driver/);
    expect(movedMeanwhile(null, before)).toBe('This order is no longer there.');
  });
});

describe('what the board says in its live region', () => {
  const row = (id: string, status: 'received' | 'preparing'): BoardRow => {
    const order = { id, status } as BoardRow['order'];
    return { replica: 'bluebottle:users:alice', order, state: { id, _deleted: false } };
  };

  it('says nothing of the first look, then each new order and each move', () => {
    const first = [row('aaaaaaaa-0000-4000-8000-000000000000', 'received')];
    expect(boardNews(null, first, () => 'Alice')).toEqual([]);
    const next = [row('aaaaaaaa-0000-4000-8000-000000000000', 'preparing'), row('bbbbbbbb-0000-4000-8000-000000000000', 'received')];
    expect(boardNews(seenOf(first), next, () => 'Alice')).toEqual([
      'Order #AAAAAAAA is now Preparing.',
      'New order #BBBBBBBB from Alice: Received.',
    ]);
    expect(boardNews(seenOf(next), next, () => undefined)).toEqual([]);
  });
});
