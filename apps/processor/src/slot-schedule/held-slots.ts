import { MAX_ROWS, type Checkpoint } from '@pourover/protocol';
import { deliverySlot, type DeliverySlot } from '@pourover/schemas';
import { withRecovery, type Credentials, type SyncClient } from '@pourover/sync-client';

/**
 * The store's live delivery slots as the server holds them now, read page
 * by page from the start of its change log (a later state of a slot
 * replaces an earlier one; tombstones are left out). Read afresh for each
 * plan, so a plan starts from what is, not from what a watch said last.
 */
export async function heldSlots(client: SyncClient, credentials: Credentials): Promise<Map<string, DeliverySlot>> {
  const held = new Map<string, DeliverySlot>();
  let checkpoint: Checkpoint | null = null;
  for (;;) {
    const page = await withRecovery(credentials, () => client.sync.pull.query({ collection: 'availability', checkpoint, limit: MAX_ROWS }));
    for (const document of page.documents) {
      const { _deleted, ...fields } = document;
      const slot = deliverySlot.safeParse(fields);
      if (_deleted || !slot.success) held.delete(document.id);
      else held.set(slot.data.id, slot.data);
    }
    if (page.documents.length < MAX_ROWS || !page.checkpoint) return held;
    checkpoint = page.checkpoint;
  }
}
