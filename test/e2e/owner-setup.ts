/** What the owner's end-to-end tests set up: the owner signed in on a page, and a delivery slot of the test's own. */
import { randomUUID } from 'node:crypto';
import type { DeliverySlot } from '@pourover/schemas';
import type { BrowserContext, Page } from 'playwright-core';
import { storeOwnerClient } from '../support/store-owner.ts';
import type { ServedShop } from './served-shop.ts';

/** The owner's sign-in field, where the code the server's console shows goes. */
export const OWNER_CODE_FIELD = 'Sign-in code from the server’s console';

/** Signs the store owner in on a page that shows the sign-in form, with a new code from the server; names the browser when told. */
export async function signInOwner(owner: Page, served: ServedShop, browserName?: string): Promise<void> {
  await owner.getByLabel(OWNER_CODE_FIELD).fill(await served.server.newOwnerCode());
  if (browserName) await owner.getByLabel('Name this browser').fill(browserName);
  await owner.getByRole('button', { name: 'Sign in as the store' }).click();
}

/** A new page of `context` at `path` (the owner's board unless told), with the owner signed in there. */
export async function openOwnerPage(
  served: ServedShop,
  context: BrowserContext,
  options: { path?: string; browserName?: string } = {},
): Promise<Page> {
  const owner = await context.newPage();
  await owner.goto(`${served.server.url}${options.path ?? '/owner'}`);
  await signInOwner(owner, served, options.browserName);
  return owner;
}

/**
 * A slot of the test's own, with `capacity` places, added by the store. Two
 * hours ahead: among the soonest slots the picker offers, before the ones the
 * weekly schedule makes.
 */
export async function addSoonSlot(served: ServedShop, capacity: number): Promise<DeliverySlot> {
  const start = new Date(Date.now() + 2 * 3_600_000);
  start.setUTCSeconds(0, 0);
  const slot: DeliverySlot = {
    id: randomUUID(),
    start: start.toISOString(),
    end: new Date(start.getTime() + 3_600_000).toISOString(),
    capacity,
    taken: 0,
    cutoff: new Date(start.getTime() - 3_600_000).toISOString(),
  };
  await storeOwnerClient(served.server).sync.push.mutate({
    collection: 'availability',
    rows: [{ newDocumentState: { ...slot, _deleted: false } }],
  });
  return slot;
}
