import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readServerFile } from '../support/server-file.ts';
import { waitFor } from '../support/wait-for.ts';
import { servedShop } from './served-shop.ts';
import { openShop } from './shop-page.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';

/** The console's errors and warnings from now on, and uncaught page errors. */
function consoleNoise(page: Page): string[] {
  const noise: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') noise.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => noise.push(`page error: ${error.message}`));
  return noise;
}

/** Whether the element lies wholly inside the viewport, as the shopper sees it now. */
async function inView(page: Page, locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  return !!box && !!viewport && box.y >= 0 && box.y + box.height <= viewport.height;
}

describe('the shop as a new shopper meets it (issue 24’s problem list)', () => {
  const served = servedShop('flows');

  it('names a device in free text, with no raw validation message and no console error on the sign-in screen', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    const noise = consoleNoise(page);
    await page.goto(served.server.url);
    await page.getByLabel('Name this device').fill('Phone A');
    await page.getByRole('button', { name: 'Start shopping as the demo shopper' }).click();
    await page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('invalid_format');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByText('Phone A').first().waitFor();
    expect(await page.locator('.devices li').filter({ hasText: '(this device)' }).textContent()).toContain('Phone A');
    expect(noise).toEqual([]);
    await context.close();
  });

  it('at 375 px: adding while scrolled is confirmed in view, the header with the order’s count and total stays, slots and Remove fit, and placing confirms the number and slot', async () => {
    const context = await served.browser.newContext({ viewport: { width: 375, height: 740 } });
    const shop = await openShop(context, served.server.url);
    // A shopper of its own, so the order holds only what this test adds.
    await shop.signUp('Ada', 'ada-375@example.com', 'Phone 375');
    await shop.waitUpToDate();
    await shop.go('Profile');
    await shop.page.getByLabel('Payment method').selectOption('tok_demo_visa');
    await shop.page.getByText('Saved on this device').waitFor();
    await shop.go('Shop');
    const last = shop.page.getByRole('button', { name: 'Add Enamel Mug to your order' });
    await last.scrollIntoViewIfNeeded();
    expect(await shop.page.evaluate(() => scrollY)).toBeGreaterThan(500);
    await last.click();
    const toast = shop.page.getByRole('status').filter({ hasText: 'Added Enamel Mug.' });
    await toast.waitFor();
    expect(await inView(shop.page, toast)).toBe(true);
    const basket = shop.page.getByRole('link', { name: 'Order 1 item, $18.00' });
    expect(await inView(shop.page, basket)).toBe(true);

    await shop.openOrder();
    const line = shop.page.locator('.lines li').filter({ hasText: 'Enamel Mug' });
    const count = await line.getByLabel('Count of Enamel Mug').boundingBox();
    const remove = await line.getByRole('button', { name: 'Remove Enamel Mug' }).boundingBox();
    // The Remove button shares the count's row, not a line of its own.
    expect(remove && count && remove.y < count.y + count.height && remove.y + remove.height > count.y).toBe(true);
    const slots = shop.page.getByRole('group', { name: 'Delivery slot' }).locator('.slot');
    expect(await slots.count()).toBeGreaterThan(0);
    const cut = await slots.evaluateAll(
      (labels) =>
        labels.filter((label) => label.scrollWidth > label.clientWidth + 1 || label.getBoundingClientRect().right > innerWidth).length,
    );
    expect(cut).toBe(0);
    const slotText = (await slots.first().locator('.slot-when').textContent()) ?? '';
    await shop.chooseSlot();
    await shop.page.getByRole('button', { name: 'Place order' }).click();
    const confirmation = shop.page.getByRole('heading', { name: /^Thank you! Order #[0-9A-F]{8} is placed\.$/ });
    await confirmation.waitFor();
    expect(await shop.page.locator('.confirmation').textContent()).toContain(slotText);
    const number = /#[0-9A-F]{8}/.exec((await confirmation.textContent()) ?? '')?.[0];
    expect(shop.page.url()).toMatch(/\/orders\/[0-9a-f-]{36}\?placed$/);
    await shop.page.reload();
    await shop.page.getByRole('heading', { name: new RegExp(`Order ${number}`) }).waitFor();
    await shop.page
      .getByRole('list', { name: 'What happened to this order' })
      .getByText('Placed', { exact: true })
      .waitFor({ timeout: 15_000 });
    await context.close();
  });

  it('says Offline within 5 s of losing the network while idle, and still counts unsent changes after a reload offline', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('idle-laptop');
    await shop.waitUpToDate();
    await shop.waitForServiceWorker();
    await context.setOffline(true);
    const lost = performance.now();
    await shop.page.locator('.status-state').filter({ hasText: 'Offline' }).waitFor({ timeout: 8_000 });
    expect(performance.now() - lost).toBeLessThan(5_000);
    await shop.add('Giant Steps');
    await shop.page.getByRole('status').filter({ hasText: '1 change not sent yet' }).waitFor();
    await shop.page.reload();
    await shop.page
      .getByRole('status')
      .filter({ hasText: /^Offline · 1 change not sent yet/ })
      .waitFor({ timeout: 15_000 });
    await context.setOffline(false);
    await shop.page.getByRole('status').filter({ hasText: 'Up to date · All changes sent' }).waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('says Offline within 5 s when the server stops answering while the device is idle (the live stream’s heartbeat)', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('heartbeat');
    await shop.waitUpToDate();
    const pid = served.server.pid ?? 0;
    // Frozen, the server keeps its connections open and sends nothing: what a network that died silently looks like.
    process.kill(pid, 'SIGSTOP');
    try {
      const silent = performance.now();
      await shop.page.locator('.status-state').filter({ hasText: 'Offline' }).waitFor({ timeout: 8_000 });
      expect(performance.now() - silent).toBeLessThan(5_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await shop.waitUpToDate();
    await context.close();
  });

  it('shows how far a long first sync has come, against the server’s latest changes, until it is done', async () => {
    const context = await served.browser.newContext();
    // A slow network: every pull answers 3 s late, so the first sync takes several seconds.
    await context.route(/\/trpc\/sync\.pull/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await route.continue();
    });
    const shop = await openShop(context, served.server.url);
    await shop.page.getByLabel('Name this device').fill('slow network');
    await shop.page.getByRole('button', { name: 'Start shopping as the demo shopper' }).click();
    const bar = shop.page.getByRole('progressbar', { name: /^Getting your orders onto this device: \d+%$/ });
    await bar.waitFor({ timeout: 15_000 });
    const value = Number(await bar.getAttribute('value'));
    expect(value).toBeLessThan(Number(await bar.getAttribute('max')));
    await shop.waitUpToDate();
    expect(await bar.count()).toBe(0);
    await context.close();
  });

  it('takes typed counts within 1–99 and says so beside the field, and counts the note without ever cutting it', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signUp('Grace', 'grace-counting@example.com', 'Counting laptop');
    await shop.add('Kenya Nyeri');
    await shop.openOrder();
    const count = shop.page.getByLabel('Count of Kenya Nyeri');
    await count.fill('150');
    await count.press('Enter');
    await shop.page.getByText('Choose from 1 to 99.').waitFor();
    expect(await count.getAttribute('aria-invalid')).toBe('true');
    expect(await shop.page.getByText('1–99').count()).toBeGreaterThan(0);
    await count.fill('42');
    await count.press('Enter');
    await shop.waitForCount('Kenya Nyeri', 42);
    await shop.page.getByRole('link', { name: 'Order 42 items, $1,092.00' }).waitFor();

    const note = shop.page.getByLabel('Note for the courier');
    await note.fill('Ring twice.');
    await note.blur();
    await shop.page.getByText('11 / 1,000 characters').waitFor();
    await note.fill('x'.repeat(1_200));
    await note.blur();
    await shop.page.getByText('1,200 / 1,000 characters').waitFor();
    await shop.page.getByText('A note has at most 1,000 characters: shorten it by 200 to save it.').waitFor();
    expect((await note.inputValue()).length).toBe(1_200);
    await waitFor('the note the server holds', () => {
      const file = readServerFile(served.dir);
      const notes = file.replicas().flatMap((replica) => file.documents(replica, 'draftOrders').map((row) => row.document['note']));
      file.close();
      return notes.includes('Ring twice.');
    });
    await context.close();
  });

  it('clears an earlier error and names its button for each way to sign in, and addresses survive back, reload and a shared link', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.page.getByLabel('Email and password').check();
    await shop.page.getByLabel('Email', { exact: true }).fill('demo@example.com');
    await shop.page.getByLabel('Password', { exact: true }).fill('not the password');
    await shop.page.getByRole('button', { name: 'Sign in' }).click();
    await shop.page.getByRole('alert').filter({ hasText: 'The email or the password is wrong.' }).waitFor();
    await shop.page.getByLabel('Create an account').check();
    expect(await shop.page.getByRole('alert').count()).toBe(0);
    expect(await shop.page.getByRole('button', { name: 'Create account' }).isVisible()).toBe(true);
    await shop.page.getByLabel('Demo shopper').check();
    await shop.signInAsDemo('routes');

    await shop.go('Orders');
    expect(new URL(shop.page.url()).pathname).toBe('/orders');
    await shop.page.reload();
    await shop.page.getByRole('heading', { name: 'Your orders', level: 1 }).waitFor();
    await shop.page.goBack();
    await shop.page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    expect(new URL(shop.page.url()).pathname).toBe('/');
    const shared = await context.newPage();
    await shared.goto(`${served.server.url}/gear`);
    await shared.getByRole('heading', { name: 'Brewing gear', level: 1 }).waitFor();
    expect(await shared.getByRole('heading', { name: 'Coffee', level: 2 }).count()).toBe(0);
    await context.close();
  });

  it('shows product photos, coffee and gear apart, and searches descriptions', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('browsing');
    await shop.page.getByRole('heading', { name: 'Brewing gear', level: 2 }).waitFor();
    const coffee = shop.page.locator('section[aria-labelledby="coffee-heading"]');
    expect(await coffee.getByRole('heading', { level: 3 }).allTextContents()).not.toContain('Burr Grinder');
    const photo = shop.page.locator('.item img').first();
    await photo.evaluate((image: HTMLImageElement) => image.decode());
    expect(await photo.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(480);
    const response = await context.request.get(`${served.server.url}${await photo.getAttribute('src')}`);
    expect(response.headers()['content-type']).toBe('image/webp');
    await shop.page.getByLabel('Search coffee and gear').fill('jasmine');
    expect(await shop.page.locator('.item h3').allTextContents()).toEqual(['Ethiopia Yirgacheffe']);
    await context.close();
  });

  it('signs out only once unsent changes are sent, or after asking', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('leaving');
    await shop.waitUpToDate();
    await context.setOffline(true);
    await shop.add('Decaf Noir');
    await shop.go('Profile');
    await shop.page.getByRole('button', { name: 'Sign out' }).click();
    const asked = shop.page.getByRole('alertdialog', { name: '1 change not sent yet' });
    await asked.waitFor({ timeout: 15_000 });
    await asked.getByRole('button', { name: 'Stay signed in' }).click();
    await context.setOffline(false);
    await shop.page.getByRole('status').filter({ hasText: 'All changes sent' }).waitFor({ timeout: 20_000 });
    await shop.page.getByRole('button', { name: 'Sign out' }).click();
    await shop.page.getByLabel('Name this device').waitFor();
    const file = readServerFile(served.dir);
    const drafts = file
      .documents(REPLICA, 'draftOrders')
      .filter((row) => (row.document['lines'] as { itemId: string }[] | undefined)?.length);
    file.close();
    expect(drafts.length).toBeGreaterThan(0);
    // The shopper's data and the device's keys are gone; the service worker's own cache bookkeeping (made whenever it
    // first caches an image, so present or not by then) is no shopper's data.
    const left = await shop.page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name));
    expect(left.filter((name) => name !== 'workbox-expiration')).toEqual([]);
    await context.close();
  });
});
