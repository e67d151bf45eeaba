import { collections, STORE } from '@pourover/schemas';
import type { Store, Write } from '@pourover/sync-server/app';

/**
 * The write that gives an ended order's slot place back, inside the same
 * commit as the order's move; none when the order named no slot, the slot
 * is gone, or it counts no place taken.
 */
export async function slotGiveBack(store: Store, slotId: string | null): Promise<Write[]> {
  if (!slotId) return [];
  const slot = await store.get(STORE, 'availability', slotId);
  // Nothing taken to give back (a slot edited by hand): the order still ends, rather than be held by the count.
  if (!slot || slot.document._deleted || !(Number(slot.document['taken']) > 0)) return [];
  return [
    {
      replica: STORE,
      collection: 'availability',
      increment: { id: slotId, field: 'taken', by: -1 },
      schema: collections.availability.schema,
    },
  ];
}
