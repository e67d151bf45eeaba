import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openShop } from './shop-page.ts';
import { servedShop } from './served-shop.ts';

const SPLIT_TEXT = 'Some changes reached us after your order was placed from another device. We kept them as a new draft.';

type Shown = { via: 'service-worker' | 'page'; title: string; body: string | undefined; tag: string | undefined };

/**
 * Records every system notification the page asks the browser for, in
 * localStorage so a reload keeps them, and lets each call through to
 * Chromium: an observation of the real API, not a stand-in for it.
 */
function recordNotifications() {
  const record = (via: string, title: string, options?: NotificationOptions) => {
    const shown: unknown[] = JSON.parse(localStorage.getItem('e2e-notifications') ?? '[]');
    shown.push({ via, title, body: options?.body, tag: options?.tag });
    localStorage.setItem('e2e-notifications', JSON.stringify(shown));
  };
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    record('service-worker', title, options);
    return show.call(this, title, options);
  };
  window.Notification = class extends window.Notification {
    constructor(title: string, options?: NotificationOptions) {
      record('page', title, options);
      super(title, options);
    }
  };
}

const shownIn = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('e2e-notifications') ?? '[]') as Shown[]);

describe('system notifications', () => {
  const served = servedShop('notify');

  it('once allowed, an edit that became a new draft is also a system notification, shown once', async () => {
    const phoneContext = await served.browser.newContext();
    await phoneContext.addInitScript(recordNotifications);
    const tabletContext = await served.browser.newContext();
    const phone = await openShop(phoneContext, served.server.url);
    await phone.signInAsDemo('phone');
    await phone.waitForServiceWorker();
    await phone.go('Orders');
    const allow = phone.page.getByRole('button', { name: 'Notify me on this device' });
    // The shopper answers the browser's question with Allow (headless Chromium cannot show the prompt itself).
    await phoneContext.grantPermissions(['notifications'], { origin: served.server.url });
    await allow.click();
    await allow.waitFor({ state: 'detached' });

    const code = await phone.createPairingCode();
    const tablet = await openShop(tabletContext, served.server.url);
    await tablet.pairWithCode(code, 'tablet');
    await phone.go('Shop');
    await phone.add('Bella Donovan');
    expect(await tablet.draftCount('Bella Donovan')).toBe(1);

    // The phone edits offline while the tablet places the order: the phone's edit reaches the served.server after placing.
    await phoneContext.setOffline(true);
    await phone.add('Enamel Mug');
    await tablet.chooseSlot();
    await tablet.place();
    await tablet.waitForOrder('Placed');
    await phoneContext.setOffline(false);

    await phone.page.getByRole('alert').filter({ hasText: SPLIT_TEXT }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => shownIn(phone.page), { timeout: 10_000 })
      .toEqual([{ via: 'service-worker', title: 'Pourover', body: SPLIT_TEXT, tag: expect.stringMatching(/^split:/) }]);
    await phone.page.reload();
    await phone.page.getByRole('alert').filter({ hasText: SPLIT_TEXT }).waitFor();
    // Time for a repeat to be asked for, had the reloaded page forgotten it notified.
    await phone.page.waitForTimeout(1_000);
    expect(await shownIn(phone.page)).toHaveLength(1);
    await phoneContext.close();
    await tabletContext.close();
  });

  it('are offered only while the shopper has not answered', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('laptop');
    await shop.go('Orders');
    const allow = shop.page.getByRole('button', { name: 'Notify me on this device' });
    await allow.focus();
    await shop.page.keyboard.press('Enter');
    // Headless Chromium answers the question with Block; either answer means not asking again.
    await allow.waitFor({ state: 'detached' });
    await shop.page.reload();
    await shop.go('Orders');
    await shop.page.getByRole('heading', { name: 'Your orders' }).waitFor();
    expect(await allow.count()).toBe(0);
    await context.close();
  });
});
