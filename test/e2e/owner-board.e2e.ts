import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, launchChromium, shopDist } from './browser.ts';
import { openShop } from './shop-page.ts';

describe('the store owner’s board', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-owner-'));
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

  it('shows a newly placed order without a reload', async () => {
    const owner = await (await browser.newContext()).newPage();
    await owner.goto(`${server.url}/owner`);
    await owner.getByRole('button', { name: 'Sign in as the store (demo)' }).click();
    await owner.getByRole('heading', { name: /^Placed \(0\)$/ }).waitFor();

    const shopper = await openShop(await browser.newContext(), server.url);
    await shopper.signInAsDemo('phone');
    await shopper.waitUpToDate();
    await shopper.add('Three Africas');
    await shopper.chooseSlot();
    await shopper.place();
    await owner.getByRole('heading', { name: /^Placed \(1\)$/ }).waitFor({ timeout: 15_000 });
    await owner.getByRole('list', { name: 'Placed orders' }).getByText(/placed .* · 1 items|1 items/).waitFor();
  });
});
