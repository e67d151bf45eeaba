import type { Shop } from '@pourover/orders';
import type { DeliverySlot } from '@pourover/schemas';
import { filter, firstValueFrom, map, timeout } from 'rxjs';

/** Whether a slot takes orders for at least the next minutes: its cutoff is ahead and it has room. */
const isOpen = (slot: DeliverySlot) => slot.cutoff > new Date(Date.now() + 5 * 60_000).toISOString() && slot.taken < slot.capacity;

/** The first delivery slot on the device that still takes orders, once the device holds one. */
export function openSlot(shop: Shop): Promise<DeliverySlot> {
  return firstValueFrom(
    shop.slots$.pipe(
      map((slots) => slots.find(isOpen)),
      filter((slot): slot is DeliverySlot => slot !== undefined),
      timeout({
        first: 20_000,
        with: () => {
          throw new Error('the device holds no open delivery slot');
        },
      }),
    ),
  );
}
