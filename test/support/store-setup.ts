import type { CatalogItem, DeliverySlot } from '@pourover/schemas';
import type { storeOwnerClient } from './store-owner.ts';

type StoreClient = ReturnType<typeof storeOwnerClient>;

/** How far ahead a slot's cutoff lies for a test to count it open, unless it says otherwise: an hour. */
const AN_HOUR = 3_600_000;

/** Every item of the store's catalog, as the store reads it. */
export async function storeCatalog(store: StoreClient): Promise<CatalogItem[]> {
  return (await store.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1_000 })).documents as unknown as CatalogItem[];
}

/** The catalog's items a shopper can order now. */
export async function availableCatalog(store: StoreClient): Promise<CatalogItem[]> {
  return (await storeCatalog(store)).filter((item) => item.available);
}

/** The store's delivery slots whose cutoff is at least `aheadMs` away, in the order the store holds them. */
export async function openSlots(store: StoreClient, aheadMs = AN_HOUR): Promise<DeliverySlot[]> {
  const slots = (await store.sync.pull.query({ collection: 'availability', checkpoint: null, limit: 1_000 }))
    .documents as unknown as DeliverySlot[];
  const cutoff = new Date(Date.now() + aheadMs).toISOString();
  return slots.filter((slot) => slot.cutoff > cutoff);
}

/** Gives each of `slots` room for `capacity` orders, in place, as the owner's editor does; returns them as written. */
export async function widenSlots(store: StoreClient, slots: readonly DeliverySlot[], capacity = 10_000): Promise<DeliverySlot[]> {
  const roomy = slots.map((slot) => ({ ...slot, capacity }));
  await store.sync.push.mutate({
    collection: 'availability',
    rows: slots.map((slot, index) => ({
      assumedMasterState: { ...slot, _deleted: false },
      newDocumentState: { ...roomy[index]!, _deleted: false },
    })),
  });
  return roomy;
}

/** The first slot open for at least `aheadMs` more, given room for 10,000 orders in place, so that no test fills it. */
export async function roomySlot(store: StoreClient, aheadMs = AN_HOUR): Promise<DeliverySlot> {
  const [open] = await openSlots(store, aheadMs);
  if (!open) throw new Error('the store has no open slot');
  const [roomy] = await widenSlots(store, [open]);
  return roomy!;
}

/** A new slot of its own, a copy of `template` (the first open one unless given) with `capacity` places and none taken, so its places can be counted. */
export async function newSlot(store: StoreClient, capacity = 10_000, template?: DeliverySlot): Promise<DeliverySlot> {
  const [open] = template ? [template] : await openSlots(store);
  if (!open) throw new Error('the store has no open slot');
  const slot = { ...open, id: crypto.randomUUID(), capacity, taken: 0 };
  await store.sync.push.mutate({
    collection: 'availability',
    rows: [{ assumedMasterState: null, newDocumentState: { ...slot, _deleted: false } }],
  });
  return slot;
}
