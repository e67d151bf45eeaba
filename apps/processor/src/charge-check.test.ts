import { derivedFields, editDraft, emptyDraftUpdate, type Order } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { chargeRefusal } from './charge-check.ts';

const beans = '00000000-0000-4000-8000-000000000101';
const ydoc = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: beans, count: 2 }]);
const order: Order = {
  id: '00000000-0000-4000-8000-000000000001',
  status: 'placed',
  ydoc,
  ...derivedFields(ydoc, () => 1_500),
  lines: [{ itemId: beans, count: 2, unitCents: 1_500 }],
  createdTime: '2026-12-04T10:00:00.000Z',
  placedTime: '2026-12-04T10:00:00.000Z',
  paymentToken: 'tok_visa',
};

describe('what the processor checks before it charges an order', () => {
  it('charges an order whose lines are its items, priced as placed, adding up to its total, with a payment method', () => {
    expect(order.totalCents).toBe(3_000);
    expect(chargeRefusal(order)).toBeUndefined();
  });

  it.each([
    ['a total its lines do not add up to', { totalCents: 100 }, /total \$1\.00 is not the \$30\.00/],
    ['no payment method', { paymentToken: '' }, /no payment method/],
    ['a line without the price it was placed at', { lines: [{ itemId: beans, count: 2 }] }, /without the price/],
    ['lines its Yjs document does not hold', { lines: [{ itemId: beans, count: 3, unitCents: 1_000 }] }, /lines do not match/],
    ['no items', { ydoc: emptyDraftUpdate(), lines: [], totalCents: 0 }, /empty/],
  ] as const)('refuses an order with %s', (_, changed, reason) => {
    expect(chargeRefusal({ ...order, ...changed } as Order)).toMatch(reason);
  });

  it('takes an order placed before orders recorded their payment and prices, checking its lines', () => {
    const { paymentToken: _payment, ...legacy } = { ...order, lines: [{ itemId: beans, count: 2 }] };
    expect(chargeRefusal(legacy)).toBeUndefined();
  });
});
