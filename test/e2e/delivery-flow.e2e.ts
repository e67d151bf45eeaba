import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessorProcess, type ProcessorProcess } from '../support/processor-process.ts';
import { storeOwnerClient } from '../support/store-owner.ts';
import { axeViolations } from './axe-violations.ts';
import { addSoonSlot, openOwnerPage } from './owner-setup.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

/** Screenshots land here, kept as the run's artifacts (ignored by git). */
const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));
const STEP_MS = 20_000;
const DEMO_REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

describe('an order from placed to delivered, in three browsers, with a real server and processor', () => {
  const served = servedShop('delivery-flow');
  let processor: ProcessorProcess | undefined;

  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
    processor = startProcessorProcess(served.server, ['--lease-ttl-ms', '2000']);
  });
  afterAll(async () => {
    await processor?.kill();
  });

  it('goes placed → prepared → ready → assigned → delivered by a driver offline, live on every screen', async () => {
    const url = served.server.url;
    const slot = await addSoonSlot(served, 5);

    // The owner signs in once, adds a driver and pairs the driver's phone.
    const ownerContext = await served.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    const owner = await openOwnerPage(served, ownerContext, { browserName: 'Counter laptop' });
    const nav = owner.getByRole('navigation', { name: 'Owner' });
    await nav.getByRole('link', { name: 'Drivers and devices' }).click();
    await owner.getByLabel('New driver’s name').fill('Dana Diaz');
    await owner.getByRole('button', { name: 'Add driver' }).click();
    await owner.getByRole('button', { name: 'Pair a phone for Dana Diaz' }).click({ timeout: STEP_MS });
    const code = (await owner.getByTestId('driver-pairing-code').textContent({ timeout: STEP_MS })) ?? '';
    const driverContext = await served.browser.newContext({ viewport: { width: 375, height: 740 }, timezoneId: 'UTC' });
    const driver = await driverContext.newPage();
    await driver.goto(`${url}/driver`);
    await driver.getByLabel('Pairing code or link').fill(code);
    await driver.getByRole('button', { name: 'Sign in as a driver' }).click();
    await driver.getByText('No deliveries assigned to you.').waitFor({ timeout: STEP_MS });

    // The shopper places an order.
    const shopper = await openShop(await served.browser.newContext(), url);
    await shopper.signInAsDemo('phone');
    await shopper.waitUpToDate();
    await shopper.add('Three Africas');
    await shopper.chooseSlot(slot.id);
    await shopper.page.getByLabel('Note for the courier').fill('Blue door, second floor.');
    await shopper.place();

    // The owner's Orders board shows it without a reload; the owner prepares it and marks it ready.
    await nav.getByRole('link', { name: 'Orders' }).click();
    const received = owner.getByRole('list', { name: 'Received orders' }).locator('li.board-order').first();
    await received.waitFor({ timeout: STEP_MS });
    const orderId = (await received.getAttribute('data-order-id')) ?? '';
    await received.getByRole('button', { name: /^Start preparing/ }).click();
    const preparing = owner.getByRole('list', { name: 'Orders being prepared' }).locator(`li[data-order-id="${orderId}"]`);
    await preparing.getByRole('button', { name: /^Ready/ }).click();
    await owner.getByRole('list', { name: 'Orders ready' }).locator(`li[data-order-id="${orderId}"]`).waitFor({ timeout: STEP_MS });
    await shopper.waitForOrder(/ready/i);

    // On Deliveries the owner assigns Dana; the delivery appears on her phone without a reload.
    await nav.getByRole('link', { name: 'Deliveries' }).click();
    const pending = owner.getByRole('list', { name: 'Waiting for a driver' }).locator(`li[data-order-id="${orderId}"]`);
    await pending.getByLabel(/^Driver for/).selectOption({ label: 'Dana Diaz' });
    await pending.getByRole('button', { name: 'Assign driver' }).click();
    const card = driver.locator(`li[data-delivery-id="${orderId}"]`);
    await card.waitFor({ timeout: STEP_MS });
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('Demo Shopper');
    expect(text).toContain('300 Webster St, Oakland, CA');
    expect(text).toMatch(/1 ×\s*Three Africas/);
    expect(text).toContain('Blue door, second floor.');

    const problems: Record<string, string[]> = {};
    const look = async (page: Page, screen: string) => {
      for (const width of [375, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: join(artifacts, `${screen}-${width}.png`), fullPage: true });
        problems[`${screen}-${width}`] = (await axeViolations(page)).filter((v) => /^(serious|critical)/.test(v));
      }
    };
    await look(driver, 'driver-route');
    await driver.setViewportSize({ width: 375, height: 740 });

    // Picked up online: the order goes out for delivery everywhere.
    await card.getByRole('button', { name: 'Picked up' }).click();
    await card.getByText('On the way').waitFor({ timeout: STEP_MS });
    await shopper.waitForOrder(/out for delivery|on the way/i);
    await owner.getByRole('list', { name: 'Out for delivery' }).locator(`li[data-order-id="${orderId}"]`).waitFor({ timeout: STEP_MS });

    // In the basement: delivered with no network, kept on the phone, sent once back online.
    await driverContext.setOffline(true);
    await card.getByRole('button', { name: 'Delivered' }).click();
    await card.getByText(/Delivered · waiting to be sent/).waitFor({ timeout: STEP_MS });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(
      (await storeOwnerClient(served.server).sync.get.query({ collection: 'processedOrders', ids: [orderId], replica: DEMO_REPLICA }))
        .documents[0]?.['status'],
    ).toBe('outForDelivery');
    await driverContext.setOffline(false);
    await shopper.waitForOrder(/delivered/i);
    await card.getByText(/^Delivered$/).waitFor({ timeout: STEP_MS });
    await owner
      .getByRole('list', { name: 'Out for delivery' })
      .locator(`li[data-order-id="${orderId}"]`)
      .waitFor({ state: 'detached', timeout: STEP_MS });
    await look(owner, 'owner-deliveries-done');

    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((key) => [key, []])));
  });
});
