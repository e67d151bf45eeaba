import { collections, STORE } from '@pourover/schemas';
import type { Store, Write } from '@pourover/sync-server/app';

/**
 * The write that gives an ended order's slot place back, inside the same
 * commit as the order's move; none when the order named no slot or the slot
 * is gone (nothing left to give back to).
 */
export async function slotGiveBack(store: Store, slotId: string | null): Promise<Write[]> {
  if (!slotId) return [];
  const slot = await store.get(STORE, 'availability', slotId);
  if (!slot || slot.document._deleted) return [];
  return [
    {
      replica: STORE,
      collection: 'availability',
      increment: { id: slotId, field: 'taken', by: -1 },
      schema: collections.availability.schema,
    },
  ];
}
