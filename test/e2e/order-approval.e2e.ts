import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessorProcess, type ProcessorProcess } from '../support/processor-process.ts';
import { axeViolations } from './axe-violations.ts';
import { addSoonSlot, openOwnerPage } from './owner-setup.ts';
import { servedShop } from './served-shop.ts';
import { openShop } from './shop-page.ts';

/** Screenshots land here, kept as the run's artifacts (ignored by git). */
const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));

describe('the owner’s approval of large orders, in Chromium with a real server and processor', () => {
  const served = servedShop('approval');
  let processor: ProcessorProcess | undefined;

  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
    processor = startProcessorProcess(served.server, ['--lease-ttl-ms', '2000']);
  });
  afterAll(async () => {
    await processor?.kill();
  });

  it('the owner sets a threshold; a larger order waits, live on the shopper’s page, until the owner approves it from the Orders board', async () => {
    const slot = await addSoonSlot(served, 5);

    const context = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    const owner = await openOwnerPage(served, context);
    const nav = owner.getByRole('navigation', { name: 'Owner' });
    await nav.getByRole('link', { name: 'Slots and catalog' }).click();

    // The owner holds orders above $50 for at most 30 minutes; a wrong wait is said beside its field and saves nothing.
    const setting = owner.getByRole('region', { name: 'Approval of large orders' });
    await setting.getByText('No order waits for your approval.').waitFor();
    await setting.getByLabel('Hold large orders for my approval').check();
    await setting.getByLabel('Orders above (dollars)').fill('50');
    await setting.getByLabel('Wait at most (minutes)').fill('0');
    await setting.getByRole('button', { name: 'Save approval setting' }).click();
    await setting.getByText('An order waits at least 1 minute.').waitFor();
    await setting.getByLabel('Wait at most (minutes)').fill('30');
    await setting.getByRole('button', { name: 'Save approval setting' }).click();
    await setting
      .getByRole('status')
      .getByText(/^Saved\. Orders above \$50\.00 wait for your approval/)
      .waitFor();
    expect(await axeViolations(owner)).toEqual([]);
    await nav.getByRole('link', { name: 'Orders' }).click();

    // $127.00: above the threshold.
    const shopper = await openShop(await served.browser.newContext(), served.server.url);
    await shopper.signInAsDemo('phone');
    await shopper.waitUpToDate();
    await shopper.add('Three Africas');
    await shopper.add('Three Africas');
    await shopper.add('Pour-over Kettle');
    await shopper.chooseSlot(slot.id);
    await shopper.place();
    await shopper.waitForOrder('Waiting for the store’s approval');
    await shopper.page.locator('.order').filter({ hasText: 'Waiting for the store’s approval' }).getByRole('link').click();
    await shopper.page
      .getByText(/The store approves larger orders itself\. It is answered by .+, or not accepted and refunded\./)
      .waitFor();

    const waiting = owner.getByRole('list', { name: 'Orders awaiting approval' }).locator('li.board-order');
    await waiting.first().waitFor({ timeout: 20_000 });
    const card = waiting.first();
    const orderId = (await card.getAttribute('data-order-id')) ?? '';
    expect(await card.textContent()).toMatch(/is rejected and refunded if not approved by/);
    await owner.screenshot({ path: join(artifacts, 'owner-approval-1280.png'), fullPage: true });
    expect(await axeViolations(owner)).toEqual([]);

    await card.getByRole('button', { name: /^Approve: order / }).click();
    await owner.getByRole('list', { name: 'Received orders' }).locator(`li[data-order-id="${orderId}"]`).waitFor();
    expect(await owner.getByRole('heading', { name: /^Awaiting your approval/ }).count()).toBe(0);

    // The shopper's page follows without a reload: approved, then received.
    await shopper.page.getByText('Approved by the store').waitFor({ timeout: 20_000 });
    await shopper.waitForOrder(/^Order #[0-9A-F]{8}Received/);
  });
});
