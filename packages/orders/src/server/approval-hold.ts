import { needsApproval, STORE, STORE_SETTINGS_ID, storeSettings, type Order } from '@pourover/schemas';
import type { Store } from '@pourover/sync-server/app';

/**
 * When the store's settings hold an order the processor takes in for the
 * owner's approval: the time its wait ends (`approveBy`, by the server's
 * clock), read in the move's own commit, so the setting that counts is the
 * one that stands when the order is taken in. None when no setting holds it.
 */
export async function approvalHold(store: Store, order: Pick<Order, 'totalCents'>, now: Date): Promise<{ approveBy: string } | undefined> {
  const stored = await store.get(STORE, 'storeSettings', STORE_SETTINGS_ID);
  if (!stored || stored.document._deleted) return undefined;
  const { _deleted, ...fields } = stored.document;
  const settings = storeSettings.safeParse(fields);
  if (!settings.success || !needsApproval(settings.data, order.totalCents)) return undefined;
  return { approveBy: new Date(now.getTime() + settings.data.approvalMinutes * 60_000).toISOString() };
}
