import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const shopDist = fileURLToPath(new URL('../../apps/shop/dist', import.meta.url));

/** Debian's Chromium, as `npm run test:all` installs it (no browser is downloaded). */
export const CHROMIUM = process.env['POUROVER_CHROMIUM'] ?? '/usr/bin/chromium';
/** The switches every test's Chromium runs with: no sandbox (root in CI), no GPU, nothing fetched in the background. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Builds the shop PWA once for the run (Vite, from the root config). */
export function buildShop() {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url)), 'build', '--logLevel', 'error'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

/** Chromium as the tests drive it; `args` adds switches (a fake camera, say). */
export async function launchChromium(args: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is needed for the end-to-end tests: install Debian's chromium (apt-get install chromium) or set POUROVER_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_FLAGS, ...args],
  });
}
