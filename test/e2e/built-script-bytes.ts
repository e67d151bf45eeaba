import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { shopDist } from './browser.ts';

/**
 * The gzipped size of built scripts, by their paths in the build (`/assets/…js`), each counted once. Read from the
 * build, not from the network: a page the service worker serves reports no bytes sent.
 */
export const gzippedBytes = (paths: Iterable<string>) =>
  [...new Set(paths)].reduce((sum, path) => sum + gzipSync(readFileSync(join(shopDist, path))).length, 0);

/** The built scripts the page requests from now on, and their gzipped size, whether the network or the service worker answers. */
export function scriptsOf(page: Page): { bytes(): number; paths: string[] } {
  const paths: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.resourceType() === 'script' && path.startsWith('/assets/')) paths.push(path);
  });
  return { bytes: () => gzippedBytes(paths), paths };
}
