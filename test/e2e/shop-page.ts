import jsQR from 'jsqr';
import type { BrowserContext, Page } from 'playwright-core';

const QR_PIXELS = 400;

/** The shop as a shopper drives it: by accessible names, as a screen reader would. */
export function shopPage(page: Page) {
  return {
    page,
    async signInAsDemo(device: string) {
      await page.getByLabel('Name this device').fill(device);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear' }).waitFor();
    },
    async pairWithCode(code: string, device: string) {
      await page.getByLabel('Pair with a code').check();
      await page.getByLabel('Name this device').fill(device);
      await page.getByLabel('Pairing code').fill(code);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear' }).waitFor();
    },
    /** Opens a pairing link (what a phone's camera app does with the QR code) and signs in with the code it fills in. */
    async pairWithLink(link: string, device: string) {
      await page.goto(link);
      await page.getByLabel('Name this device').fill(device);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear' }).waitFor();
    },
    async signUp(name: string, email: string, device: string) {
      await page.getByLabel('Create an account').check();
      await page.getByLabel('Name this device').fill(device);
      await page.getByLabel('Your name').fill(name);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill('a long enough password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear' }).waitFor();
    },
    async go(section: 'Shop' | 'Orders' | 'Profile' | 'Devices') {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: section }).click();
    },
    async createPairingCode(): Promise<string> {
      await this.go('Devices');
      await page.getByRole('button', { name: 'Pair another device' }).click();
      return (await page.getByTestId('pairing-code').textContent()) ?? '';
    },
    /** Decodes the pairing QR code as a camera would see it: the SVG drawn to pixels, read by an independent decoder (jsQR). */
    async readPairingQr(): Promise<string | undefined> {
      const pixels = await page.getByRole('img', { name: /^QR code for pairing/ }).evaluate(async (svg, size) => {
        const copy = svg.cloneNode(true) as SVGSVGElement;
        copy.setAttribute('width', String(size));
        copy.setAttribute('height', String(size));
        const image = new Image();
        image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = size;
        canvas.height = size;
        const context = canvas.getContext('2d');
        context?.drawImage(image, 0, 0, size, size);
        return Array.from(context?.getImageData(0, 0, size, size).data ?? []);
      }, QR_PIXELS);
      return jsQR(Uint8ClampedArray.from(pixels), QR_PIXELS, QR_PIXELS)?.data;
    },
    async chooseSlot(slotId?: string) {
      const select = page.getByLabel('Delivery slot');
      if (slotId) await select.selectOption(slotId);
      else await select.selectOption({ index: 1 });
    },
    async place() {
      await page.getByRole('button', { name: 'Place order' }).click();
    },
    /** Waits for an order with this status text on the Orders page. */
    async waitForOrder(status: string | RegExp, timeout = 20_000) {
      await this.go('Orders');
      await page.locator('.order').filter({ hasText: status }).first().waitFor({ timeout });
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
