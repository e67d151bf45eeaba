import jsQR from 'jsqr';
import type { BrowserContext, Page } from 'playwright-core';

const QR_PIXELS = 400;

/** The shop as a shopper drives it: by accessible names, as a screen reader would. */
export function shopPage(page: Page) {
  return {
    page,
    async signInAsDemo(device: string) {
      await page.getByLabel('Name this device').fill(device);
      await page.getByRole('button', { name: 'Start shopping as the demo shopper' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    },
    async pairWithCode(code: string, device: string) {
      await page.getByLabel('Pair with a code').check();
      await page.getByLabel('Name this device').fill(device);
      await page.getByLabel('Pairing code').fill(code);
      await page.getByRole('button', { name: 'Pair this device' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    },
    /** Opens a pairing link (what a phone's camera app does with the QR code) and signs in with the code it fills in. */
    async pairWithLink(link: string, device: string) {
      await page.goto(link);
      await page.getByLabel('Name this device').fill(device);
      await page.getByRole('button', { name: 'Pair this device' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    },
    async signUp(name: string, email: string, device: string) {
      await page.getByLabel('Create an account').check();
      await page.getByLabel('Name this device').fill(device);
      await page.getByLabel('Your name').fill(name);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill('a long enough password');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
    },
    async go(section: 'Shop' | 'Orders' | 'Profile' | 'Devices') {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section, exact: true }).click();
    },
    /** Opens the order being made, through the header's basket. */
    async openOrder() {
      await page.getByRole('link', { name: /^Order \d+ items?, / }).click();
      await page.getByRole('heading', { name: 'Your order', level: 1 }).waitFor();
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
    /** Chooses a delivery slot for the order being made: the one given, or the first open one. */
    async chooseSlot(slotId?: string) {
      await this.openOrder();
      const group = page.getByRole('group', { name: 'Delivery slot' });
      const slot = slotId ? group.locator(`input[value="${slotId}"]`) : group.getByRole('radio', { disabled: false }).first();
      await slot.check();
    },
    /** Places the order being made and waits for its confirmation. */
    async place() {
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByRole('heading', { name: /^Thank you! Order #[0-9A-F]{8} is placed\.$/ }).waitFor();
    },
    /** Waits for an order with this status text on the Orders page. */
    async waitForOrder(status: string | RegExp, timeout = 20_000) {
      await this.go('Orders');
      await page.locator('.order').filter({ hasText: status }).first().waitFor({ timeout });
    },
    async waitUpToDate() {
      await page.getByRole('status').filter({ hasText: 'Up to date' }).waitFor({ timeout: 20_000 });
    },
    /** Adds one of an item from the shop (going to it first if elsewhere), and waits for the shop to say so. */
    async add(itemName: string) {
      const button = page.getByRole('button', { name: `Add ${itemName} to your order` });
      if (!(await button.isVisible())) await this.go('Shop');
      await button.click();
      await page
        .getByRole('status')
        .filter({ hasText: `Added ${itemName}.` })
        .waitFor();
    },
    /** How many of an item the order being made holds, as its count field shows. */
    async draftCount(itemName: string): Promise<number> {
      await this.openOrder();
      return Number(await page.getByLabel(`Count of ${itemName}`).inputValue({ timeout: 10_000 }));
    },
    /** Waits until the order being made holds `count` of an item. */
    async waitForCount(itemName: string, count: number, timeout = 20_000) {
      await this.openOrder();
      await page.waitForFunction(
        ({ label, expected }) =>
          (document.querySelector(`input[aria-label="${label}"]`) as HTMLInputElement | null)?.value === String(expected),
        { label: `Count of ${itemName}`, expected: count },
        { timeout },
      );
    },
    /** Waits until the service worker controls the page, so the app shell is served offline. */
    async waitForServiceWorker() {
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
          await new Promise<void>((resolve) =>
            navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
          );
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
