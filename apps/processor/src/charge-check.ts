import { derivedFields, MAX_ITEM_COUNT, type Order } from '@pourover/schemas';

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/**
 * Why the processor will not charge an order as its snapshot stands, or
 * undefined when it may. The server priced and checked the order when it
 * was placed; the processor checks again what it is about to charge: the
 * lines are those of the order's Yjs document, each at a price recorded
 * when it was placed, adding up to its total, and a payment method is
 * named. An order placed before the server recorded prices and payment
 * (`paymentToken` absent) is checked for its lines only.
 */
export function chargeRefusal(order: Order): string | undefined {
  const derived = derivedFields(order.ydoc, () => 0).lines;
  const same =
    derived.length === order.lines.length &&
    derived.every((line, index) => line.itemId === order.lines[index]?.itemId && line.count === order.lines[index]?.count);
  if (!same) return 'the order’s lines do not match its items';
  if (order.lines.length === 0) return 'the order is empty';
  if (order.lines.some((line) => line.count < 1 || line.count > MAX_ITEM_COUNT)) return 'the order holds a count out of bounds';
  if (order.paymentToken === undefined) return undefined;
  if (order.paymentToken === '') return 'no payment method was recorded with the order';
  if (order.lines.some((line) => line.unitCents === undefined)) return 'the order holds an item without the price it was placed at';
  const total = order.lines.reduce((sum, line) => sum + line.count * (line.unitCents ?? 0), 0);
  if (total !== order.totalCents) return `the order’s total ${dollars(order.totalCents)} is not the ${dollars(total)} its items cost`;
  return undefined;
}
