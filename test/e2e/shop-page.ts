import type { BrowserContext, Page } from 'playwright-core';

/** The shop as a shopper drives it: by accessible names, as a screen reader would. */
export function shopPage(page: Page) {
  return {
    page,
    async signInAsDemo(device: string) {
      await page.getByLabel('Name this device').fill(device);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear' }).waitFor();
    },
    async waitUpToDate() {
      await page.getByRole('status').filter({ hasText: 'Up to date' }).waitFor({ timeout: 20_000 });
    },
    async add(itemName: string) {
      await page.getByRole('button', { name: `Add ${itemName} to your order` }).click();
    },
    async draftCount(itemName: string): Promise<number> {
      const text = await page.getByLabel(new RegExp(`^\\d+ of ${itemName}$`)).textContent({ timeout: 10_000 });
      return Number(text);
    },
    /** Waits until the service worker controls the page, so the app shell is served offline. */
    async waitForServiceWorker() {
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
          await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
        }
      });
    },
  };
}

export async function openShop(context: BrowserContext, url: string) {
  const page = await context.newPage();
  await page.goto(url);
  return shopPage(page);
}
