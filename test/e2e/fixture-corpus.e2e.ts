import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import {
  editDraftWithFields,
  emptyDraftUpdate,
  schemaVersions,
  type CatalogItem,
  type CollectionName,
  type DeliverySlot,
  type Order,
  type UserProfile,
} from '@pourover/schemas';
import { createSyncClient } from '@pourover/sync-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSignIn } from '../support/devices.ts';
import { placeOrder } from '../support/shoppers.ts';
import { receiveOrder, storeOwnerClient } from '../support/store-owner.ts';
import { buildOldDeviceScript, fitToSchema, pastReleases } from './old-devices.ts';
import type { OldDevice } from './fixtures/old-device/old-device-db.ts';
import { servedShop } from './served-shop.ts';
import { openShop } from './shop-page.ts';

const DEMO = 'c0ffee00-0000-4000-8000-000000000001';
const REPLICA = `bluebottle:users:${DEMO}`;
/** The shop's database name (apps/shop/src/session.ts): RxDB's Dexie storage keeps `rxdb-dexie-pourover--<version>--<collection>`. */
const DATABASE = 'pourover';

function draft(note: string): WireDocument {
  const { ydoc, ...fields } = editDraftWithFields(emptyDraftUpdate(), [{ kind: 'setNote', note }], () => undefined);
  return { id: crypto.randomUUID(), status: 'draft', ydoc, ...fields, createdTime: new Date().toISOString(), _deleted: false };
}

describe("Chromium device databases of every past release's schemas", () => {
  const served = servedShop('fixture-corpus');
  const releases = pastReleases();
  const scripts = mkdtempSync(join(tmpdir(), 'pourover-old-device-'));
  let script: string;
  let shopper: ReturnType<typeof createSyncClient>;
  const pull = async <T>(collection: CollectionName) =>
    (await shopper.sync.pull.query({ collection, checkpoint: null, limit: 1_000 })).documents as unknown as T[];

  beforeAll(async () => {
    script = await buildOldDeviceScript(scripts);
    const token = await devSignIn(served.server.url, 'corpus-reader');
    shopper = createSyncClient({ url: served.server.url, token: () => token });
    // Something synced in every collection: drafts, an order placed, another placed and received by the store.
    const [item] = await pull<CatalogItem>('catalog');
    const slot = (await pull<DeliverySlot>('availability')).find((open) => Date.parse(open.cutoff) > Date.now()) ?? null;
    if (!item) throw new Error('the seeded catalog is empty');
    const client = { id: DEMO, replica: REPLICA, client: shopper };
    await placeOrder(client, { id: crypto.randomUUID(), items: [{ item, count: 1 }], slot });
    const received = await placeOrder(client, { id: crypto.randomUUID(), items: [{ item, count: 2 }], slot });
    const [placed] = (await pull<Order>('placedOrders')).filter((order) => order.id === received.id);
    if (!placed) throw new Error('the order was not placed');
    await receiveOrder(storeOwnerClient(served.server), REPLICA, placed);
  });
  afterAll(() => rmSync(scripts, { recursive: true, force: true }));

  it('are there to test: a schema with a past version is in a release fixture', () => {
    expect(releases.length).toBeGreaterThan(0);
  });

  it.each(releases.map((release) => [release.file, release] as const))(
    '%s: the current app migrates it, keeps every synced document, and the server gets every unsent edit',
    async (file, release) => {
      await shopper.sync.push.mutate({
        collection: 'draftOrders',
        rows: [draft(`synced under ${file}`), draft(`edited offline under ${file}`)].map((synced) => ({
          assumedMasterState: null,
          newDocumentState: synced,
        })),
      });
      const synced = Object.fromEntries(
        await Promise.all(
          (Object.keys(release.schemas) as CollectionName[]).map(async (name) => [
            name,
            (await pull<WireDocument>(name)).map((document) => fitToSchema(document, release.schemas[name]) as WireDocument),
          ]),
        ),
      ) as Record<CollectionName, WireDocument[]>;
      const edited = synced.draftOrders.find((document) => document['note'] === `edited offline under ${file}`);
      if (!edited) throw new Error('the draft to edit is not on the server');
      const madeOffline = draft(`made offline under ${file}`);
      const edits = {
        profileName: `Renamed offline under ${file}`,
        draftNotes: { [edited.id]: `changed offline under ${file}` },
        newDrafts: [madeOffline],
      };
      const device: OldDevice = { name: DATABASE, schemas: release.schemas, synced, edits };

      // The device signs in with today's app, then its database is replaced by the one the older app left (written by a
      // script of the test's, let past the shop's Content-Security-Policy).
      const context = await served.browser.newContext({ serviceWorkers: 'block', bypassCSP: true });
      const shop = await openShop(context, served.server.url);
      await shop.signInAsDemo(`old-${file.replace(/\W/g, '-')}`);
      await shop.waitUpToDate();
      await shop.page.goto(`${served.server.url}/robots.txt`);
      await shop.page.evaluate(async (name) => {
        const databases = (await indexedDB.databases()).map((db) => db.name ?? '').filter((db) => db.startsWith(`rxdb-dexie-${name}`));
        for (const db of databases)
          await new Promise((resolve, reject) => {
            const request = indexedDB.deleteDatabase(db);
            request.onsuccess = resolve;
            request.onerror = reject;
            request.onblocked = () => reject(new Error(`${db} is still open`));
          });
      }, DATABASE);
      await shop.page.addScriptTag({ content: script });
      await shop.page.evaluate(
        (old) => (globalThis as unknown as { oldDevice: { write(device: OldDevice): Promise<void> } }).oldDevice.write(old),
        device,
      );
      const before = await shop.page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? ''));
      for (const name of release.past) expect(before).toContain(`rxdb-dexie-${DATABASE}--${release.schemas[name].version}--${name}`);

      // Today's app opens it: migrates, syncs, and sends what was unsent.
      await shop.page.goto(served.server.url);
      await shop.waitUpToDate();
      await shop.page.getByRole('status').filter({ hasText: 'All changes sent' }).waitFor({ timeout: 20_000 });
      const after = await shop.page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? ''));
      for (const name of release.past) expect(after).toContain(`rxdb-dexie-${DATABASE}--${schemaVersions[name]}--${name}`);

      const [profile] = await pull<UserProfile>('user');
      expect(profile?.name).toBe(edits.profileName);
      const drafts = new Map((await pull<Order>('draftOrders')).map((order) => [order.id, order]));
      expect(drafts.get(edited.id)?.note).toBe(`changed offline under ${file}`);
      expect(drafts.get(madeOffline.id)?.note).toBe(`made offline under ${file}`);

      // Every order it held is still listed: drafts, placed and received.
      await shop.go('Orders');
      for (const name of ['placedOrders', 'processedOrders'] as const) {
        expect(synced[name].length, `${name} synced before the upgrade`).toBeGreaterThan(0);
        for (const order of synced[name]) await shop.page.locator(`[data-order-id="${order.id}"]`).waitFor({ timeout: 10_000 });
      }
      await context.close();
    },
  );
});
