import { shopperReplica, STORE, type CollectionName, type StoreOnlyCollectionName } from '@pourover/schemas';
import { hashPassword, type IdentityStore, type ImageStore, type Store } from '@pourover/sync-server/app';
import { demoImage } from './demo-images.ts';
import { demoCatalog } from './demo-catalog.ts';
import { demoSchedule } from './demo-schedule.ts';
import { demoShopper } from './demo-shopper.ts';
import { demoSlots } from './demo-slots.ts';

const absent = { kind: 'absent' } as const;

function writesOf(collection: CollectionName | StoreOnlyCollectionName, documents: { id: string }[]) {
  return documents.map((document) => ({ collection, document: { ...document, _deleted: false }, expect: absent }));
}

/**
 * Seeds the demo: catalog (with its pictures, kept in `images`), a week of
 * delivery slots (the ones tests choose), a weekly schedule the processor
 * generates the coming weeks' slots from, and the demo shopper. Only adds what is missing, so it is
 * safe on every start and never undoes an edit made since; pictures are
 * rendered only for items that are missing.
 */
export async function seedDemo(store: Store, now: Date, images: ImageStore): Promise<void> {
  const catalog = demoCatalog();
  const held = await store.getMany(
    STORE,
    'catalog',
    catalog.map((item) => item.id),
  );
  const pictured = async ({ picture }: (typeof catalog)[number]) => {
    const image = await demoImage(picture);
    await images.put(image);
    return image.hash;
  };
  const missing = catalog.filter((_, index) => !held[index] || held[index].document._deleted);
  const items = await Promise.all(missing.map(async (item) => ({ ...item.entry, image: await pictured(item) })));
  // A demo item seeded before pictures were kept (its image was drawn anew at each start) gets its picture, and nothing else changes.
  const unpictured = await Promise.all(
    held.map(async (row) => (row && !row.document._deleted && !(await images.get(String(row.document['image']))) ? row : undefined)),
  );
  const repictured = await Promise.all(
    catalog.flatMap((item, index) => {
      const row = unpictured[index];
      return row
        ? [
            pictured(item).then((image) => ({
              collection: 'catalog' as const,
              document: { ...row.document, image },
              expect: { kind: 'equals' as const, state: row.document },
            })),
          ]
        : [];
    }),
  );
  await store.commit(STORE, [...writesOf('catalog', items), ...repictured, ...writesOf('availability', demoSlots(now))], 'each');
  // A schedule row the owner deleted stays deleted: only rows never written are added.
  const schedule = demoSchedule();
  const written = await store.getMany(
    STORE,
    'slotSchedule',
    schedule.map((row) => row.id),
  );
  const unwritten = schedule.filter((_, index) => !written[index]);
  if (unwritten.length > 0) await store.commit(STORE, writesOf('slotSchedule', unwritten), 'each');
  await store.commit(shopperReplica(demoShopper.id), writesOf('user', [demoShopper]), 'each');
}

/** The demo shopper's account: demo@example.com, password `pourover-demo`. */
export async function seedDemoAccount(identity: IdentityStore, now: Date): Promise<void> {
  if (await identity.account(demoShopper.email)) return;
  await identity.createAccount(
    { email: demoShopper.email, shopperId: demoShopper.id, passwordHash: await hashPassword(DEMO_PASSWORD) },
    now,
  );
}

export const DEMO_PASSWORD = 'pourover-demo';
