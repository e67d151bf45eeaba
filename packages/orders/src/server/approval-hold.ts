import { deliverySlot, needsApproval, STORE, STORE_SETTINGS_ID, storeSettings, type Order } from '@pourover/schemas';
import type { Store } from '@pourover/sync-server/app';

/** The start of the order's delivery slot, when the store still holds the slot. */
async function slotStart(store: Store, slotId: string | null): Promise<number | undefined> {
  if (!slotId) return undefined;
  const stored = await store.get(STORE, 'availability', slotId);
  if (!stored || stored.document._deleted) return undefined;
  const { _deleted, ...fields } = stored.document;
  const slot = deliverySlot.safeParse(fields);
  return slot.success ? Date.parse(slot.data.start) : undefined;
}

/**
 * When the store's settings hold an order the processor takes in for the
 * owner's approval: the time its wait ends (`approveBy`, by the server's
 * clock), read in the move's own commit, so the setting that counts is the
 * one that stands when the order is taken in. The wait ends at the order's
 * slot's start at the latest: an order approved once its delivery began
 * could not be delivered. None when no setting holds it.
 */
export async function approvalHold(
  store: Store,
  order: Pick<Order, 'totalCents' | 'slotId'>,
  now: Date,
): Promise<{ approveBy: string } | undefined> {
  const stored = await store.get(STORE, 'storeSettings', STORE_SETTINGS_ID);
  if (!stored || stored.document._deleted) return undefined;
  const { _deleted, ...fields } = stored.document;
  const settings = storeSettings.safeParse(fields);
  if (!settings.success || !needsApproval(settings.data, order.totalCents)) return undefined;
  const waitEnds = now.getTime() + settings.data.approvalMinutes * 60_000;
  const start = await slotStart(store, order.slotId);
  return { approveBy: new Date(start === undefined ? waitEnds : Math.min(waitEnds, start)).toISOString() };
}
