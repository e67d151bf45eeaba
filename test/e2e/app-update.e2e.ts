import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@pourover/protocol';
import { schemaVersions, type CatalogItem, type Order, type UserProfile } from '@pourover/schemas';
import { createSyncClient } from '@pourover/sync-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSignIn } from '../support/devices.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { launchChromium } from './browser.ts';
import { buildShopInto, NEXT_RELEASE_SERVER } from './shop-builds.ts';
import { openShop } from './shop-page.ts';

const ITEM = 'Bella Donovan';
const TODAY = '0.1.0+e2e-today';
const NEXT = '0.1.0+e2e-next';
const NEXT_PROTOCOL = PROTOCOL_VERSION + 1;

describe('an app update with the service worker, over edits made offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-update-'));
  const [today, next] = [join(dir, 'today'), join(dir, 'next')];
  const servers: ServerProcess[] = [];
  let browser: Browser;

  beforeAll(async () => {
    // One build of each release for the file: today's app, and the next (protocol and profile and draft schemas one version on).
    await buildShopInto(today, TODAY);
    await buildShopInto(next, NEXT, true);
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers the update, and after the reload the next release has migrated the edits, sent them, and another device sees them', async () => {
    const first = await startServerProcess(join(dir, 'data'), undefined, ['--static', today]);
    servers.push(first);
    const context = await browser.newContext();
    const shop = await openShop(context, first.url);
    await shop.signInAsDemo('laptop');
    await shop.waitUpToDate();
    await shop.waitForServiceWorker();
    expect(first.requests.some((request) => request.app === TODAY)).toBe(true);

    // Offline, the shopper adds to the draft and renames the profile; both wait on the device.
    await context.setOffline(true);
    await shop.add(ITEM);
    await shop.go('Profile');
    const name = shop.page.getByLabel('Name', { exact: true });
    await name.fill('Alice, renamed offline');
    await name.press('Tab');
    await shop.page.getByRole('status').filter({ hasText: 'Saved on this device' }).waitFor();
    await shop.page.getByRole('status').filter({ hasText: '2 changes not sent yet' }).waitFor();

    // The server is upgraded: the next release, serving only the next protocol, and the next app's files.
    await first.stop();
    const upgraded = await startServerProcess(
      first.dataDir,
      first.port,
      ['--static', next, '--oldest-protocol', String(NEXT_PROTOCOL)],
      NEXT_RELEASE_SERVER,
    );
    servers.push(upgraded);
    await context.setOffline(false);

    const offer = shop.page.getByRole('alert').filter({ hasText: 'A new version of the app is needed to sync' });
    await offer.waitFor({ timeout: 30_000 });
    expect(upgraded.requests.some((request) => request.status === 426 && request.app === TODAY)).toBe(true);
    await offer.getByRole('button', { name: 'Reload to update' }).click();
    await waitFor('the next release to sync', () => upgraded.requests.some((r) => r.app === NEXT && r.status < 300), 30_000);
    await shop.waitUpToDate();
    await shop.page.getByRole('status').filter({ hasText: 'All changes sent' }).waitFor({ timeout: 20_000 });
    // The device's IndexedDB holds the profile and drafts at the next versions (RxDB's Dexie storage keeps a database per version).
    const databases = await shop.page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name ?? ''));
    expect(databases).toEqual(
      expect.arrayContaining([
        expect.stringMatching(`--${schemaVersions.user + 1}--user$`),
        expect.stringMatching(`--${schemaVersions.draftOrders + 1}--draftOrders$`),
      ]),
    );

    // The shopper's own client, at the next protocol, reads the edits from the server, migrated.
    const token = await devSignIn(upgraded.url, 'reader');
    const client = createSyncClient({ url: upgraded.url, token: () => token, protocol: NEXT_PROTOCOL });
    const pull = async <T>(collection: 'user' | 'draftOrders' | 'catalog') =>
      (await client.sync.pull.query({ collection, checkpoint: null, limit: 1_000 })).documents as unknown as T[];
    const [profile] = await pull<UserProfile & { phone?: string }>('user');
    expect(profile).toMatchObject({ name: 'Alice, renamed offline', phone: '' });
    const item = (await pull<CatalogItem>('catalog')).find((entry) => entry.name === ITEM);
    const drafts = (await pull<Order>('draftOrders')).filter((draft) => draft.status === 'draft');
    expect(drafts.flatMap((draft) => draft.lines)).toContainEqual({ itemId: item?.id, count: 1 });

    // Another device of the shopper, a new browser profile, gets the next release and sees both edits.
    const otherContext = await browser.newContext();
    const other = await openShop(otherContext, upgraded.url);
    await other.signInAsDemo('phone');
    await other.waitForCount(ITEM, 1);
    await other.go('Profile');
    await expect
      .poll(() => other.page.getByLabel('Name', { exact: true }).inputValue(), { timeout: 20_000 })
      .toBe('Alice, renamed offline');
    await otherContext.close();
    await context.close();
  });
});
