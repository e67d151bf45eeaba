import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, shopDist } from '../e2e/browser.ts';
import { gzippedBytes, scriptsOf } from '../e2e/built-script-bytes.ts';
import { openShop, shopPage as openShopPage } from '../e2e/shop-page.ts';
import type { BenchContext } from './context.ts';
import type { Samples } from './stats.ts';

/** The JavaScript a shopper's first visit downloads before signing in: the scripts index.html loads and preloads, gzipped. */
function firstLoadScriptBytes(): number {
  const html = readFileSync(join(shopDist, 'index.html'), 'utf8');
  return gzippedBytes([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1] ?? ''));
}

/** The built shop's size, and how long an offline reload takes to show the shopper's draft again (Chromium, real IndexedDB). */
export async function browserFigures(ctx: BenchContext, options: { reloads: number; step: (s: string) => void }): Promise<Samples[]> {
  const kilobytes = firstLoadScriptBytes() / 1024;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const shop = await openShop(context, ctx.server.url);
    await shop.signInAsDemo('bench-reload');
    await shop.waitUpToDate();
    // The signed-in shop's first screen: every script a fresh page of it loads.
    const fresh = await context.newPage();
    const scripts = scriptsOf(fresh);
    await fresh.goto(ctx.server.url);
    await openShopPage(fresh).waitUpToDate();
    await fresh.close();
    const shopKilobytes = scripts.bytes() / 1024;
    await shop.waitForServiceWorker();
    const item = ctx.catalog[0]?.name ?? 'Bella Donovan';
    await shop.add(item);
    await shop.draftCount(item);
    await context.setOffline(true);
    const times: number[] = [];
    for (let i = 0; i <= options.reloads; i += 1) {
      options.step(`offline reload ${i}/${options.reloads}`);
      const started = performance.now();
      await shop.page.reload();
      await shop.page
        .getByLabel(/^Count of /)
        .first()
        .waitFor();
      if (i > 0) times.push(performance.now() - started);
    }
    await context.close();
    return [
      { name: 'sign-in screen first-load JavaScript (gzip)', unit: 'KiB', values: [kilobytes] },
      { name: 'signed-in shop first-load JavaScript (gzip)', unit: 'KiB', values: [shopKilobytes] },
      { name: 'offline reload until the draft shows (Chromium)', unit: 'ms', values: times },
    ];
  } finally {
    await browser.close();
  }
}
