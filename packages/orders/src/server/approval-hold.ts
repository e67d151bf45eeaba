import { defaultStoreSettings, deliverySlot, needsApproval, STORE, STORE_SETTINGS_ID, storeSettings, type Order } from '@pourover/schemas';
import type { Store } from '@pourover/sync-server/app';

/** The settings as stored, read by the fields this release knows: a field a newer release added does not make them unreadable. */
const storedSettings = storeSettings.strip();

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
 * could not be delivered. None when no setting holds it; stored settings
 * this release cannot read hold every order, for the default wait.
 */
export async function approvalHold(
  store: Store,
  order: Pick<Order, 'totalCents' | 'slotId'>,
  now: Date,
): Promise<{ approveBy: string } | undefined> {
  const stored = await store.get(STORE, 'storeSettings', STORE_SETTINGS_ID);
  if (!stored || stored.document._deleted) return undefined;
  const { _deleted, ...fields } = stored.document;
  const settings = storedSettings.safeParse(fields);
  // Settings that cannot be read hold every order: the owner decides, rather than an order above their threshold going on unseen.
  if (settings.success && !needsApproval(settings.data, order.totalCents)) return undefined;
  const minutes = settings.success ? settings.data.approvalMinutes : defaultStoreSettings.approvalMinutes;
  const waitEnds = now.getTime() + minutes * 60_000;
  const start = await slotStart(store, order.slotId);
  return { approveBy: new Date(start === undefined ? waitEnds : Math.min(waitEnds, start)).toISOString() };
}
