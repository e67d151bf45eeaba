import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse, { type RunnerResult } from 'lighthouse';
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, CHROMIUM, CHROMIUM_FLAGS, shopDist } from './browser.ts';
import { mainThreadCpu, type MainThreadCpu, type TraceEvent } from './main-thread-cpu.ts';
import { shopPage } from './shop-page.ts';

const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const REQUIRED = 95;
/** Lighthouse runs of each screen, of which the median is scored. */
const RUNS = 3;

type Scores = Record<(typeof CATEGORIES)[number], number>;

describe('Lighthouse 12.2.3, mobile profile, on the shop’s main screens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-lighthouse-'));
  let server: ServerProcess;
  let context: BrowserContext;
  let port: number;
  const scores: Record<string, Scores> = {};
  const cpu: Record<string, MainThreadCpu | undefined> = {};

  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(join(dir, 'data'), undefined, ['--static', shopDist]);
  });

  /**
   * Chromium, started afresh, on the profile named `profile`: Playwright (to sign in) and Lighthouse (through the
   * debugging port) share it, so the audited tabs of the signed-in screens are signed in.
   */
  async function launch(profile: string): Promise<BrowserContext> {
    await context?.close();
    port = await freePort();
    return chromium.launchPersistentContext(join(dir, profile), {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_FLAGS, `--remote-debugging-port=${port}`],
    });
  }
  afterAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'lighthouse.json'), `${JSON.stringify(scores, null, 2)}\n`);
    writeFileSync(join(artifacts, 'lighthouse-main-thread.json'), `${JSON.stringify(cpu, null, 2)}\n`);
    await context?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What Lighthouse could not run in one audit, in words: its own failure, and audits that errored (these score nothing). */
  function notRun(result: RunnerResult | undefined): string {
    const errored = Object.values(result?.lhr.audits ?? {}).filter((entry) => entry.scoreDisplayMode === 'error');
    const failure = result?.lhr.runtimeError;
    return [
      ...(failure ? [`Lighthouse failed: ${failure.code} ${failure.message}`] : []),
      ...(errored.length
        ? [`could not run: ${errored.map((entry) => `${entry.id} (${entry.errorMessage ?? 'no message'})`).join(', ')}`]
        : []),
    ].join('; ');
  }

  /**
   * One Lighthouse run of an address in a tab of its own; storage is kept, as a returning shopper's is. A run in which
   * Lighthouse could not score a category (its score is null: an audit it holds errored in Lighthouse itself) is made
   * again, twice at most.
   */
  async function run(screen: string, path: string): Promise<RunnerResult | undefined> {
    let result: RunnerResult | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      result = await lighthouse(`${server.url}${path}`, {
        port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: [...CATEGORIES],
        disableStorageReset: true,
      });
      const unscored = CATEGORIES.filter((name) => typeof result?.lhr.categories[name]?.score !== 'number');
      if (!unscored.length) break;
      console.log(`${screen}, attempt ${attempt}: Lighthouse scored no ${unscored.join(', ')}; ${notRun(result)}`);
    }
    return result;
  }

  /**
   * Audits one address RUNS times, `before` each, and scores the median run as Lighthouse picks it
   * (`computeMedianRun`: the run nearest the median first paint and time to interactive), as its documentation
   * on variability advises; every run's scores are printed.
   */
  async function audit(screen: string, path: string, before: () => Promise<void> = async () => {}): Promise<Scores> {
    const results: RunnerResult[] = [];
    for (let n = 0; n < RUNS; n++) {
      await before();
      const result = await run(screen, path);
      if (!result) throw new Error(`${screen}: Lighthouse gave no result`);
      results.push(result);
      console.log(`${screen}, run ${n + 1}: ${JSON.stringify(scoresOf(result))}; ${notRun(result)}`);
    }
    const median = computeMedianRun(results.map((result) => result.lhr));
    const result = results.find((candidate) => candidate.lhr === median) as RunnerResult;
    const found = scoresOf(result);
    scores[screen] = found;
    cpu[screen] = mainThreadCpu(result.artifacts.Trace.traceEvents as readonly TraceEvent[]);
    const failed = Object.values(result.lhr.audits).filter(
      (entry) =>
        entry.score !== null && entry.score < 0.9 && entry.scoreDisplayMode !== 'informative' && entry.scoreDisplayMode !== 'manual',
    );
    const below = failed.map((entry) => `${entry.id} ${entry.displayValue ?? entry.score}`).join(', ');
    console.log(
      `${screen}, median run: ${JSON.stringify(found)}; main thread after first paint ${JSON.stringify(cpu[screen])}${below ? `; below 90: ${below}` : ''}`,
    );
    return found;
  }

  function scoresOf(result: RunnerResult): Scores {
    const { categories } = result.lhr;
    return Object.fromEntries(CATEGORIES.map((name) => [name, Math.round((categories[name]?.score ?? 0) * 100)])) as Scores;
  }

  const atLeast = (found: Scores) => ({
    performance: found.performance >= REQUIRED,
    accessibility: found.accessibility >= REQUIRED,
    'best-practices': found['best-practices'] >= REQUIRED,
  });
  const all = { performance: true, accessibility: true, 'best-practices': true };

  it('scores the sign-in screen 95 or more for performance, accessibility and best practices, and answers robots.txt', async () => {
    // Each run a shopper's first visit: a browser started afresh with a profile of its own.
    let visits = 0;
    const found = await audit('sign-in', '/', async () => {
      context = await launch(`first-visit-${++visits}`);
    });
    expect(atLeast(found)).toEqual(all);
    expect(found.seo).toBeGreaterThanOrEqual(REQUIRED);
  });

  /**
   * Signed in, each screen is opened in a browser started afresh, as a returning shopper opens the app. In the browser
   * that signed in, the audited page shared a renderer with the pages before it (the service worker's), and before
   * its navigation committed Lighthouse's instrumentation walked the heap they left there (V8's heap iterator, no
   * script of the page): a task of 120–165 ms of CPU, four times over in the simulation, which alone held
   * performance to 78–90 (docs/shop.md).
   */
  it('scores the signed-in shop, the order and the orders screens 95 or more for performance, accessibility and best practices', async () => {
    context = await launch('shopper');
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
      // No page or service worker of the shop still runs in a renderer the audited page would share.
      const found = await audit(screen, path, async () => {
        context = await launch('shopper');
      });
      expect(atLeast(found), screen).toEqual(all);
    }
  });
});
