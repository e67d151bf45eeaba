import { shopperReplica, STORE, type CollectionName } from '@pourover/schemas';
import type { IdentityStore } from '../auth/identity-store.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Store } from '../store/store.ts';
import { demoCatalog } from './demo-catalog.ts';
import { demoShopper } from './demo-shopper.ts';
import { demoSlots } from './demo-slots.ts';

const absent = { kind: 'absent' } as const;

function writesOf(collection: CollectionName, documents: { id: string }[]) {
  return documents.map((document) => ({ collection, document: { ...document, _deleted: false }, expect: absent }));
}

/**
 * Seeds the demo: catalog, a week of delivery slots and the demo shopper.
 * Only adds what is missing, so it is safe on every start and never undoes
 * an edit made since.
 */
export async function seedDemo(store: Store, now: Date): Promise<void> {
  await store.commit(STORE, [...writesOf('catalog', demoCatalog()), ...writesOf('availability', demoSlots(now))], 'each');
  await store.commit(shopperReplica(demoShopper.id), writesOf('user', [demoShopper]), 'each');
}

/** The demo shopper's account: demo@example.com, password `pourover-demo`. */
export async function seedDemoAccount(identity: IdentityStore, now: Date): Promise<void> {
  if (await identity.account(demoShopper.email)) return;
  await identity.createAccount({ email: demoShopper.email, shopperId: demoShopper.id, passwordHash: await hashPassword(DEMO_PASSWORD) }, now);
}

export const DEMO_PASSWORD = 'pourover-demo';
