import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerFile } from '../support/server-file.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { buildShop, launchChromium, shopDist } from './browser.ts';
import { openShop } from './shop-page.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const ITEMS = ['Bella Donovan', 'Ceramic Dripper', 'Enamel Mug'];

describe('ordering offline in a real browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-'));
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(dir, undefined, ['--static', shopDist]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the app and a draft made offline across a reload, and sends the draft once online', async () => {
    const context = await browser.newContext();
    const shop = await openShop(context, server.url);
    await shop.signInAsDemo('laptop');
    await shop.waitUpToDate();
    await shop.waitForServiceWorker();

    await context.setOffline(true);
    for (const item of ITEMS) await shop.add(item);
    for (const item of ITEMS) expect(await shop.draftCount(item)).toBe(1);
    await shop.page.reload();
    await shop.page.getByRole('heading', { name: 'Your order' }).waitFor();
    for (const item of ITEMS) expect(await shop.draftCount(item)).toBe(1);
    await shop.page.getByRole('status').filter({ hasText: /Offline|Connecting/ }).waitFor();

    await context.setOffline(false);
    await waitFor('the draft on the server', () => {
      const file = readServerFile(dir);
      const drafts = file.documents(REPLICA, 'draftOrders').filter((row) => !row.document['_deleted']);
      file.close();
      return drafts.some((row) => Number(row.document['itemCount']) === 3);
    }, 30_000);
    await context.close();
  });
});
