import type { PushRow } from '@pourover/protocol';
import { deliverySlot, STORE, type DeliverySlot } from '@pourover/schemas';
import type { Store } from '@pourover/sync-server/app';
import type { Catalog } from './current-catalog.ts';
import type { Draft } from './draft-fields.ts';
import type { DraftContext } from './draft-writes.ts';

const liveSlot = (document: Record<string, unknown> | undefined): DeliverySlot | undefined => {
  if (!document || document['_deleted']) return undefined;
  const { _deleted, ...fields } = document;
  const parsed = deliverySlot.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
};

/** The shopper whose replica this is: `bluebottle:users:<id>`. */
const shopperOf = (replica: string) => replica.split(':')[2] ?? '';

/**
 * What placing each pushed draft marked `placing` depends on, read from the
 * store: the slot it names, the shopper's payment method (for a device
 * that did not send the one it showed), and any order already placed under
 * its id. One read per kind for the whole push; nothing for a push that
 * places nothing.
 */
export async function placingContexts(
  store: Store,
  replica: string,
  rows: readonly PushRow[],
  base: { catalog: Catalog; now: Date },
): Promise<Map<string, NonNullable<DraftContext['placing']>>> {
  const placing = rows.map((row) => row.newDocumentState as Draft).filter((draft) => draft.status === 'placing' && !draft._deleted);
  if (placing.length === 0) return new Map();
  const ids = placing.map((draft) => draft.id);
  const slotIds = [...new Set(placing.flatMap((draft) => (draft.slotId ? [draft.slotId] : [])))];
  const [slots, profile, placed, processed] = await Promise.all([
    slotIds.length > 0 ? store.getMany(STORE, 'availability', slotIds) : Promise.resolve([]),
    store.get(replica, 'user', shopperOf(replica)),
    store.getMany(replica, 'placedOrders', ids),
    store.getMany(replica, 'processedOrders', ids),
  ]);
  const slotOf = new Map(slots.flatMap((stored) => (stored ? [[stored.document.id, liveSlot(stored.document)] as const] : [])));
  const profileToken = profile && !profile.document._deleted ? String(profile.document['paymentToken'] ?? '') : '';
  return new Map(
    placing.map((draft, index) => {
      const already = processed[index] ?? placed[index];
      return [
        draft.id,
        {
          facts: { ...base, slot: draft.slotId ? slotOf.get(draft.slotId) : undefined, paymentToken: draft.paymentToken || profileToken },
          placedAlready: already ? (already.document as Draft) : undefined,
        },
      ];
    }),
  );
}
