import type { DeliverySlot, Order } from '@pourover/schemas';
import type { Catalog } from './current-catalog.ts';

/** What the server knows, when a draft is placed, beyond the draft itself. */
export type PlacingFacts = {
  catalog: Catalog;
  now: Date;
  /** The slot the draft names, as the store holds it now (undefined when it holds none, or a removed one). */
  slot: DeliverySlot | undefined;
  /** The payment method the order would be charged with: the one the shopper saw, or their profile's. */
  paymentToken: string;
};

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** Why the items of an order cannot be ordered now, if they cannot. */
function itemsProblem(order: Order, catalog: Catalog): string | undefined {
  if (order.lines.length === 0) return 'the order is empty; add an item first';
  for (const line of order.lines) {
    const item = catalog.entry(line.itemId);
    if (!item?.live) return `${item?.name ?? 'an item of the order'} is no longer sold; remove it and place the order again`;
    if (!item.available) return `${item.name} is not available now; remove it and place the order again`;
  }
  return undefined;
}

/** Why the order's delivery slot cannot take it, if it cannot. */
function slotProblem(order: Order, slot: DeliverySlot | undefined, now: Date): string | undefined {
  if (!order.slotId) return 'choose a delivery slot first';
  if (!slot) return 'the delivery slot chosen no longer exists; choose another';
  if (now.toISOString() >= slot.cutoff) return 'orders for the delivery slot chosen have closed; choose another';
  if (slot.taken >= slot.capacity) return 'the delivery slot chosen is full; choose another';
  return undefined;
}

/**
 * Why a draft the shopper placed is not placed, in words the shopper
 * reads; undefined when it is. `order` is the draft as the server priced it
 * (from the catalog, never from the device), `shownCents` the total the
 * shopper saw: an order is charged what the shopper saw, or not placed.
 */
export function placingRefusal(order: Order, shownCents: number, facts: PlacingFacts): string | undefined {
  const problem = itemsProblem(order, facts.catalog) ?? slotProblem(order, facts.slot, facts.now);
  if (problem) return problem;
  if (order.totalCents !== shownCents) {
    return `the prices changed: the order now costs ${dollars(order.totalCents)}, not the ${dollars(shownCents)} shown; check it and place it again`;
  }
  if (!facts.paymentToken) return 'add a payment method to your profile, then place the order again';
  return undefined;
}
