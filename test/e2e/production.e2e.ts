import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process.ts';
import { launchChromium, shopDist } from './browser.ts';
import { scriptsOf } from './built-script-bytes.ts';
import { servedShop } from './served-shop.ts';
import { openShop, shopPage } from './shop-page.ts';

/** Everything the page writes to its console from now on, whatever its level. */
function consoleOf(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(`${message.type()}: ${message.text().slice(0, 120)}`));
  page.on('pageerror', (error) => lines.push(`page error: ${error.message}`));
  return lines;
}

describe('the production build', () => {
  const served = servedShop('production');

  it('writes nothing to the console, on the sign-in screen nor in the shop as it syncs and writes', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    const lines = consoleOf(page);
    const shop = shopPage(page);
    await page.goto(served.server.url);
    await page.getByLabel('Name this device').waitFor();
    expect(lines).toEqual([]);
    await shop.signInAsDemo('quiet');
    await shop.waitUpToDate();
    await shop.add('Three Africas');
    await shop.go('Orders');
    await page.reload();
    await page.getByRole('heading', { name: 'Your orders' }).waitFor();
    await shop.waitUpToDate();
    expect(lines).toEqual([]);
    await context.close();
  });

  it('sends the shop compressed, caches hashed files for a year, and answers /robots.txt as text', async () => {
    const index = await fetch(served.server.url, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    for (const encoding of ['br', 'gzip']) {
      const asset = await fetch(`${served.server.url}${script}`, { headers: { 'accept-encoding': encoding } });
      expect(asset.headers.get('content-encoding')).toBe(encoding);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    const robots = await fetch(`${served.server.url}/robots.txt`);
    expect(robots.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await robots.text()).toMatch(/^User-agent: \*\nAllow: \//);
  });

  it('loads on the sign-in screen only the sign-in screen’s code, and keeps every first load under 200 KiB of compressed JavaScript', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    const signIn = scriptsOf(page);
    await page.goto(served.server.url);
    await page.getByLabel('Name this device').waitFor();
    await page.waitForLoadState('networkidle');
    expect(
      signIn.paths.some((path) => /session|shop-app|owner-view/.test(path)),
      signIn.paths.join(' '),
    ).toBe(false);
    const signInBytes = signIn.bytes();
    expect(signInBytes).toBeLessThan(60 * 1024);
    const shop = shopPage(page);
    await shop.signInAsDemo('small');
    await shop.waitForServiceWorker();
    // A returning shopper's first load: the service worker serves it, and the count is what the page runs.
    const reloaded = await context.newPage();
    const shopScripts = scriptsOf(reloaded);
    await reloaded.goto(served.server.url);
    await shopPage(reloaded).waitUpToDate();
    expect(shopScripts.paths, 'the signed-in shop loaded its code').toEqual(expect.arrayContaining([expect.stringMatching(/shop-app/)]));
    console.log(
      `first-load JavaScript, gzip: sign-in ${(signInBytes / 1024).toFixed(1)} KiB, signed-in shop ${(shopScripts.bytes() / 1024).toFixed(1)} KiB`,
    );
    expect(shopScripts.bytes(), shopScripts.paths.join(' ')).toBeLessThan(200 * 1024);
    await context.close();
  });

  it('registers no unload listener, so the shop can enter the back/forward cache', async () => {
    const context = await served.browser.newContext();
    const shop = await openShop(context, served.server.url);
    await shop.signInAsDemo('bfcache');
    await shop.waitUpToDate();
    const cdp = await context.newCDPSession(shop.page);
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId ?? '' });
    const types = listeners.map((listener) => listener.type);
    expect(types).toContain('pagehide');
    expect(types).not.toContain('unload');
    await context.close();
  });
});

describe('a new version of the shop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-update-'));
  const copy = join(dir, 'dist');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is offered with “A new version is ready” while the running one keeps working offline, and taken when the shopper reloads', async () => {
    cpSync(shopDist, copy, { recursive: true });
    const server = await startServerProcess(join(dir, 'data'), undefined, ['--static', copy]);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const shop = await openShop(context, server.url);
      await shop.signInAsDemo('updating');
      await shop.waitForServiceWorker();
      // A new build: its service worker differs (the compressed copies are dropped, so the server sends this one).
      rmSync(join(copy, 'sw.js.br'), { force: true });
      rmSync(join(copy, 'sw.js.gz'), { force: true });
      appendFileSync(join(copy, 'sw.js'), '\n// a new build\n');
      await shop.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      const prompt = shop.page.getByRole('status').filter({ hasText: 'A new version is ready.' });
      await prompt.waitFor({ timeout: 20_000 });

      await context.setOffline(true);
      await shop.page.reload();
      await shop.page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
      await shop.add('Bella Donovan');
      await context.setOffline(false);
      await prompt.waitFor({ timeout: 20_000 });
      // A mark on this document: the new one, loaded by the reload, has none.
      await shop.page.evaluate(() => Object.assign(window, { beforeUpdate: true }));
      await shop.page.getByRole('button', { name: 'Reload to update' }).click();
      await shop.page.waitForFunction(
        async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return !('beforeUpdate' in window) && !registration?.waiting && !!navigator.serviceWorker.controller;
        },
        undefined,
        { timeout: 20_000 },
      );
      const source = await shop.page.evaluate(async () => (await fetch('/sw.js')).text());
      expect(source).toContain('// a new build');
      await shop.page.getByRole('heading', { name: 'Coffee and gear', level: 1 }).waitFor();
      expect(await shop.page.getByRole('status').filter({ hasText: 'A new version is ready.' }).count()).toBe(0);
      await context.close();
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
