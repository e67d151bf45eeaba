import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse, { type RunnerResult } from 'lighthouse';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, CHROMIUM, CHROMIUM_FLAGS, shopDist } from './browser.ts';
import { mainThreadCpu, type MainThreadCpu, type TraceEvent } from './main-thread-cpu.ts';
import { shopPage } from './shop-page.ts';

const artifacts = fileURLToPath(new URL('./artifacts', import.meta.url));
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const REQUIRED = 95;
/** Lighthouse runs of each screen; each category is scored by its median over them. */
const RUNS = 3;

type Scores = Record<(typeof CATEGORIES)[number], number>;

describe('Lighthouse 12.2.3, mobile profile, on the shop’s main screens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-e2e-lighthouse-'));
  let server: ServerProcess;
  let context: BrowserContext;
  let port: number;
  const scores: Record<string, { median: Scores; runs: Scores[] }> = {};
  const cpu: Record<string, (MainThreadCpu | undefined)[]> = {};
  let stopped = false;

  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(join(dir, 'data'), undefined, ['--static', shopDist]);
  });

  /**
   * Chromium, started afresh, on the profile named `profile`: Playwright (to sign in) and Lighthouse (through the
   * debugging port) share it, so the audited tabs of the signed-in screens are signed in. Chromium picks its debugging
   * port itself and names it in the profile's DevToolsActivePort, so no other process can take it meanwhile.
   */
  async function launch(profile: string): Promise<BrowserContext> {
    await context?.close();
    if (stopped) throw new Error('the test is over: no browser is started');
    const folder = join(dir, profile);
    rmSync(join(folder, 'DevToolsActivePort'), { force: true });
    context = await chromium.launchPersistentContext(folder, {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_FLAGS, '--remote-debugging-port=0'],
    });
    port = await debuggingPort(folder);
    return context;
  }

  async function debuggingPort(folder: string): Promise<number> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const file = join(folder, 'DevToolsActivePort');
      const named = existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : NaN;
      if (Number.isInteger(named) && named > 0) return named;
      await sleep(50);
    }
    throw new Error(`Chromium named no debugging port in ${folder}/DevToolsActivePort within 10 s`);
  }
  afterAll(async () => {
    stopped = true;
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
   * Audits one address RUNS times, `before` each, and scores each category by its median over the runs, as
   * Lighthouse's documentation on variability advises; every run's scores go to the artifacts and the log.
   */
  async function audit(screen: string, path: string, before: () => Promise<void>): Promise<Scores> {
    const runs: Scores[] = [];
    cpu[screen] = [];
    for (let n = 0; n < RUNS; n++) {
      await before();
      const result = await run(screen, path);
      if (!result) throw new Error(`${screen}: Lighthouse gave no result`);
      const found = scoresOf(result);
      runs.push(found);
      cpu[screen].push(mainThreadCpu(result.artifacts.Trace.traceEvents as readonly TraceEvent[]));
      const below = Object.values(result.lhr.audits)
        .filter(
          (entry) =>
            entry.score !== null && entry.score < 0.9 && entry.scoreDisplayMode !== 'informative' && entry.scoreDisplayMode !== 'manual',
        )
        .map((entry) => `${entry.id} ${entry.displayValue ?? entry.score}`)
        .join(', ');
      console.log(
        `${screen}, run ${n + 1}: ${JSON.stringify(found)}; main thread after first paint ${JSON.stringify(cpu[screen].at(-1))}${below ? `; below 90: ${below}` : ''}; ${notRun(result)}`,
      );
    }
    const median = Object.fromEntries(
      CATEGORIES.map((name) => [name, runs.map((found) => found[name]).sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? 0]),
    ) as Scores;
    scores[screen] = { median, runs };
    console.log(`${screen}, median of ${RUNS} runs: ${JSON.stringify(median)}`);
    return median;
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
      await launch(`first-visit-${++visits}`);
    });
    expect(atLeast(found)).toEqual(all);
    expect(found.seo).toBeGreaterThanOrEqual(REQUIRED);
  }, 180_000);

  /**
   * Signed in, each screen is opened in a browser started afresh, as a returning shopper opens the app. In the browser
   * that signed in, the audited page shared a renderer with the pages before it (the service worker's), and before
   * its navigation committed Lighthouse's instrumentation walked the heap they left there (V8's heap iterator, no
   * script of the page): a task of 120–165 ms of CPU, four times over in the simulation, which alone held
   * performance to 78–90 (docs/shop.md).
   */
  it('scores the signed-in shop, the order and the orders screens 95 or more for performance, accessibility and best practices', async () => {
    const page = await (await launch('shopper')).newPage();
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
        await launch('shopper');
      });
      expect(atLeast(found), screen).toEqual(all);
    }
  }, 360_000);
});
