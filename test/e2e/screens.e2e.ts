import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe-violations.ts';
import { OWNER_CODE_FIELD, signInOwner } from './owner-setup.ts';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

/** Screenshots land here, kept as the run's artifacts (ignored by git). */
const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));
const WIDTHS = [375, 1280];

describe('every screen', () => {
  const served = servedShop('screens');

  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
  });

  it.each(WIDTHS)('at %i px is usable, screenshotted, and has no moderate or worse accessibility violation', async (width) => {
    const context = await served.browser.newContext({ viewport: { width, height: 900 } });
    const problems: Record<string, string[]> = {};
    const check = async (page: Page, screen: string) => {
      // Photos are lazy: scroll them in, so the screenshot shows the page as a shopper sees it.
      await page.evaluate(async () => {
        // From the top, so the sticky header is drawn where a shopper first sees it.
        scrollTo(0, 0);
        for (const image of document.querySelectorAll('img')) image.loading = 'eager';
        await Promise.all([...document.images].map((image) => image.decode().catch(() => {})));
      });
      await page.screenshot({ path: join(artifacts, `${screen}-${width}.png`), fullPage: true });
      problems[screen] = await axeViolations(page);
    };
    const linked = await context.newPage();
    await linked.goto(`${served.server.url}/pair#code=ABCD2345`);
    expect(await linked.getByLabel('Pairing code').inputValue()).toBe('ABCD2345');
    expect(linked.url()).toBe(`${served.server.url}/`);
    // Chromium on Linux has no Barcode Detection API, so there is no scan button, and typing the code is the way.
    expect(await linked.getByRole('button', { name: 'Scan the QR code' }).count()).toBe(0);
    await check(linked, 'sign-in-pairing');
    await linked.close();
    const shop = await openShop(context, served.server.url);
    await check(shop.page, 'sign-in');
    await shop.signInAsDemo(`Screens ${width}`);
    await shop.waitUpToDate();
    await shop.page.locator('.item img').first().waitFor();
    await check(shop.page, 'shop');
    await shop.page.goto(`${served.server.url}/gear`);
    await shop.page.getByRole('heading', { name: 'Brewing gear', level: 1 }).waitFor();
    await check(shop.page, 'shop-gear');
    await shop.add('Pour-over Kettle');
    await shop.add('Hayes Valley Espresso');
    await shop.chooseSlot();
    await shop.page.getByLabel('Note for the courier').fill('Leave it with the concierge.');
    await check(shop.page, 'order');
    await shop.place();
    await check(shop.page, 'order-placed');
    await shop.waitForOrder('Placed');
    await check(shop.page, 'orders');
    await shop.go('Profile');
    await shop.page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await check(shop.page, 'profile');
    await shop.go('Devices');
    await shop.page.getByRole('heading', { name: 'Your devices' }).waitFor();
    await shop.page.getByRole('button', { name: 'Pair another device' }).click();
    await shop.page.getByRole('img', { name: /^QR code for pairing/ }).waitFor();
    await check(shop.page, 'devices');
    await shop.page.goto(`${served.server.url}/no-such-page`);
    await shop.page.getByRole('heading', { name: 'There is no page here' }).waitFor();
    await check(shop.page, 'not-found');

    const owner = await context.newPage();
    await owner.goto(`${served.server.url}/owner`);
    await owner.getByLabel(OWNER_CODE_FIELD).waitFor();
    await check(owner, 'owner-sign-in');
    await signInOwner(owner, served);
    await owner.getByRole('heading', { name: /^Placed \(\d+\)$/ }).waitFor();
    // Every tab in sight, none scrolled out of the window.
    const tabs = await owner.getByRole('navigation', { name: 'Owner' }).getByRole('link').all();
    const boxes = await Promise.all(tabs.map((tab) => tab.boundingBox()));
    expect(tabs).toHaveLength(4);
    expect(boxes.filter((box) => !box || box.x < 0 || box.x + box.width > width)).toEqual([]);
    await check(owner, 'owner-board');
    await owner.getByRole('link', { name: 'Slots and catalog' }).click();
    await owner.getByRole('heading', { name: 'Delivery slots' }).waitFor();
    await owner.getByLabel('Price in dollars').first().waitFor();
    await check(owner, 'owner-editor');
    await owner.getByRole('link', { name: 'Drivers and devices' }).click();
    await owner.getByLabel('New driver’s name').fill(`Driver ${width}`);
    await owner.getByRole('button', { name: 'Add driver' }).click();
    await owner.getByRole('button', { name: `Pair a phone for Driver ${width}` }).click();
    const code = (await owner.getByTestId('driver-pairing-code').textContent()) ?? '';
    await owner.getByRole('list', { name: 'Signed-in owner devices' }).getByRole('listitem').first().waitFor();
    await check(owner, 'owner-drivers');

    const driver = await context.newPage();
    await driver.goto(`${served.server.url}/driver#code=${code}`);
    expect(await driver.getByLabel('Pairing code or link').inputValue()).toBe(code);
    await check(driver, 'driver-sign-in');
    await driver.getByRole('button', { name: 'Sign in as a driver' }).click();
    await driver.getByText('No deliveries assigned to you.').waitFor();
    await check(driver, 'driver-view');

    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((screen) => [screen, []])));
    await context.close();
  });
});
