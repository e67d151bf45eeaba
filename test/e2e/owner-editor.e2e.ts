import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readServerFile } from '../support/server-file.ts';
import { waitFor } from '../support/wait-for.ts';
import { openOwnerPage } from './owner-setup.ts';
import { servedShop, type ServedShop } from './served-shop.ts';
import { openShop } from './shop-page.ts';

async function ownerEditor(served: ServedShop, context: BrowserContext): Promise<Page> {
  const owner = await openOwnerPage(served, context, { path: '/owner/editor' });
  await owner.getByLabel('Price in dollars').first().waitFor();
  return owner;
}

function catalogOnServer(dir: string) {
  const file = readServerFile(dir);
  const items = file.documents('bluebottle', 'catalog').map((row) => row.document as { name: string; priceCents: number; image: string });
  file.close();
  return items;
}

describe('the store owner’s editor', () => {
  const served = servedShop('editor');

  it('keeps a row in place while it is edited, takes prices in dollars, and says beside the field why a value is refused', async () => {
    const context = await served.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const owner = await ownerEditor(served, context);
    const names = () =>
      owner.locator('.catalog-row').evaluateAll((rows) => rows.map((row) => (row.querySelector('input') as HTMLInputElement).value));
    const before = await names();
    const row = owner.locator('.catalog-row').nth(2);
    const name = before[2] ?? '';
    const price = row.getByLabel('Price in dollars');
    await price.fill('19.99');
    await price.press('Tab');
    await row.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect(await names()).toEqual(before);
    await waitFor('the new price on the server', () => catalogOnServer(served.dir).find((item) => item.name === name)?.priceCents === 1999);

    for (const [typed, sentence] of [
      ['-100', 'A price cannot be negative.'],
      ['19.999', 'Enter dollars and at most two digits of cents, like 19.99.'],
    ] as const) {
      await price.fill(typed);
      await price.press('Tab');
      await row.getByText(sentence).waitFor();
      expect(await price.getAttribute('aria-invalid')).toBe('true');
    }
    expect(catalogOnServer(served.dir).find((item) => item.name === name)?.priceCents).toBe(1999);

    const slots = owner.locator('.editor-row[data-start]');
    const starts = await slots.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-start') ?? ''));
    expect(starts).toEqual([...starts].sort());
    const now = new Date().toISOString();
    const file = readServerFile(served.dir);
    const coming = file.documents('bluebottle', 'availability').filter((slot) => String(slot.document['end']) > now);
    file.close();
    expect(starts.length).toBe(coming.length);
    const capacity = slots.first().getByLabel('Capacity (places)');
    await capacity.fill('2.5');
    await capacity.press('Tab');
    await slots.first().getByText('Enter a whole number of places, like 12.').waitFor();
    expect(await slots.first().locator('.hint').first().textContent()).toMatch(/^\d+ places? taken of \d+$/);
    await context.close();
  });

  it('adds a weekly slot to the schedule in the store’s time zone, refusing beside the field one that runs past midnight', async () => {
    const context = await served.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const owner = await ownerEditor(served, context);
    const form = owner.getByRole('form', { name: 'A new weekly slot' });
    await form.getByLabel('Every').selectOption('3');
    await form.getByLabel('Starts at').fill('23:00');
    await form.getByRole('button', { name: 'Add to the schedule' }).click();
    await form.getByText('A slot ends by midnight: start it earlier or make it shorter.').waitFor();
    expect(await form.getByLabel('Lasts (minutes)').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Starts at').fill('08:15');
    await form.getByLabel('Places').fill('4');
    await form.getByRole('button', { name: 'Add to the schedule' }).click();
    await form.getByRole('status').filter({ hasText: 'Added' }).waitFor();
    await owner.getByRole('form', { name: 'Wednesday 08:15' }).waitFor();
    const added = () => {
      const file = readServerFile(served.dir);
      const rows = file.documents('bluebottle', 'slotSchedule').map((row) => row.document);
      file.close();
      return rows.find((row) => row['weekday'] === 3 && row['start'] === '08:15');
    };
    await waitFor('the row on the server', () => added() !== undefined);
    // The store's zone is the one its schedule already has (the demo's).
    expect(added()).toMatchObject({ durationMinutes: 120, capacity: 4, closesMinutesBefore: 60, timeZone: 'America/Los_Angeles' });
    await context.close();
  });

  it('uploads a product photo that a shopper’s device shows, and still shows offline after a reload', async () => {
    const shopperContext = await served.browser.newContext();
    const shopper = await openShop(shopperContext, served.server.url);
    await shopper.signInAsDemo('photo-phone');
    await shopper.waitUpToDate();
    await shopper.waitForServiceWorker();
    const kettle = shopper.page.locator('.item', { has: shopper.page.getByRole('heading', { name: 'Pour-over Kettle' }) }).locator('img');
    const oldSource = await kettle.getAttribute('src');

    const ownerContext = await served.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const owner = await ownerEditor(served, ownerContext);
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#b5472f' } })
      .jpeg()
      .toBuffer();
    await owner.getByLabel('New photo of Pour-over Kettle').setInputFiles({ name: 'kettle.jpg', mimeType: 'image/jpeg', buffer: photo });
    await owner
      .locator('.catalog-row', { has: owner.getByAltText('Photo of Pour-over Kettle') })
      .getByRole('status')
      .filter({ hasText: 'Saved' })
      .waitFor({ timeout: 20_000 });
    const uploaded = catalogOnServer(served.dir).find((item) => item.name === 'Pour-over Kettle')?.image;
    expect(`/images/${uploaded}`).not.toBe(oldSource);

    await shopper.page.waitForFunction(
      (source) => [...document.querySelectorAll('.item img')].some((image) => image.getAttribute('src') === source),
      `/images/${uploaded}`,
      { timeout: 15_000 },
    );
    const shown = async () =>
      kettle.evaluate(async (image: HTMLImageElement) => {
        image.loading = 'eager';
        await image.decode();
        return [image.naturalWidth, image.naturalHeight];
      });
    expect(await shown()).toEqual([640, 480]);
    await shopperContext.setOffline(true);
    await shopper.page.reload();
    await shopper.page.getByRole('heading', { name: 'Pour-over Kettle' }).waitFor();
    expect(await kettle.getAttribute('src')).toBe(`/images/${uploaded}`);
    expect(await shown()).toEqual([640, 480]);
    await shopperContext.close();
    await ownerContext.close();
  });
});
