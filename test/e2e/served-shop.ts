import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { buildShop, launchChromium, shopDist } from './browser.ts';

export type ServedShop = { readonly dir: string; readonly server: ServerProcess; readonly browser: Browser };

/**
 * For the test file that calls it (at the top of its `describe`): the shop
 * built, served by a server process of its own on a new data folder, and a
 * Chromium; all stopped and removed after the file.
 */
export function servedShop(name: string): ServedShop {
  const dir = mkdtempSync(join(tmpdir(), `pourover-e2e-${name}-`));
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    buildShop();
    server = await startServerProcess(dir, undefined, ['--static', shopDist]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started: call servedShop in a describe, and use it in tests`);
    return value;
  };
  return {
    dir,
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
  };
}
