import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { configDefaults, defineConfig } from 'vitest/config';
import { z } from 'zod';
import { precompress } from './apps/shop/build/precompress.ts';
import { quietRxdbAdvert } from './apps/shop/build/quiet-rxdb-advert.ts';
import { unloadOnPagehide } from './apps/shop/build/unload-on-pagehide.ts';

/** The shop's build, named to the server with every request (`x-pourover-app`): its version and when it was built, e.g. `0.1.0+20261205T030112Z`. */
const shopVersion = (JSON.parse(readFileSync(new URL('./apps/shop/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const appBuild = `${shopVersion}+${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`;

/**
 * Files that assert a bound in wall-clock time (a node back within 2 s of its
 * database, a revocation enforced within a second, a sign-in under attack),
 * and the rolling upgrade, whose nodes' database heartbeats a loaded machine
 * starves: they form the `wall-clock` project, which CI runs with nothing
 * beside it.
 */
const WALL_CLOCK = [
  '**/database-faults.pg.test.ts',
  '**/public-endpoints.test.ts',
  '**/start-server.test.ts',
  '**/identity.test.ts',
  '**/postgres-identity-store.pg.test.ts',
  '**/shared-identity.pg.test.ts',
  '**/rolling-upgrade.pg.test.ts',
];

/** A test project; 30 s bounds a hung test while leaving room for files that run side by side on a loaded 2-core machine. */
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  test: { name, root, include: ['**/*.test.ts'], exclude: [...configDefaults.exclude, ...WALL_CLOCK], testTimeout: 30_000, ...extra },
});

/** Projects whose files may run side by side. */
const sideBySide = [
  project('schemas', './schemas'),
  project('protocol', './packages/protocol'),
  project('sync-client', './packages/sync-client'),
  project('replica', './packages/replica', { testTimeout: 60_000 }),
  project('orders', './packages/orders', { testTimeout: 60_000 }),
  project('sync-server', './sync-server'),
  project('shop', './apps/shop'),
  project('processor', './apps/processor'),
  project('shared-list', './apps/shared-list', { testTimeout: 120_000, hookTimeout: 60_000 }),
  project('durable-sqlite', './packages/durable-sqlite'),
  project('logging', './packages/logging'),
  project('test', './test', { testTimeout: 120_000, hookTimeout: 60_000 }),
];

/** Projects whose files run with nothing beside them: wall-clock bounds, and Chromium (Lighthouse scores the page's speed). */
const alone = [
  {
    test: {
      name: 'wall-clock',
      root: '.',
      include: WALL_CLOCK,
      exclude: [...configDefaults.exclude],
      testTimeout: 120_000,
      hookTimeout: 60_000,
    },
  },
  // End-to-end in Debian's Chromium; `npm run test:e2e` runs these alone.
  {
    test: {
      name: 'e2e',
      root: './test/e2e',
      include: ['**/*.e2e.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      fileParallelism: false,
    },
  },
];

/**
 * `POUROVER_TEST_PHASE` picks a part of the suite for CI's two runs (`side-by-side`, `alone`); unset, every project runs.
 * Vitest's `--project '!a' --project '!b'` keeps the union, not the intersection, so the split is made here.
 */
const phase = z
  .enum(['side-by-side', 'alone'])
  .optional()
  .parse(process.env['POUROVER_TEST_PHASE'] || undefined);
const projects = phase === 'side-by-side' ? sideBySide : phase === 'alone' ? alone : [...sideBySide, ...alone];

/**
 * One config for both: Vite builds the shop PWA (`apps/shop` → `apps/shop/dist`),
 * and Vitest runs a project per package plus the cross-package `test/`.
 */
export default defineConfig({
  root: 'apps/shop',
  define: { __APP_BUILD__: JSON.stringify(appBuild) },
  build: { outDir: 'dist', emptyOutDir: true },
  plugins: [
    preact(),
    unloadOnPagehide(),
    quietRxdbAdvert(),
    VitePWA({
      // A new version waits until the shopper chooses to reload (apps/shop/src/app-update.tsx); the running one keeps working offline.
      registerType: 'prompt',
      manifest: {
        name: 'Pourover',
        short_name: 'Pourover',
        description: 'Order coffee from Bluebottle, online or offline.',
        theme_color: '#2b5f8a',
        background_color: '#f6f4f0',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The first service worker takes the open pages at once, so the app works offline from the first visit; an update waits for the prompt.
        clientsClaim: true,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/trpc\//, /^\/healthz/, /^\/readyz/, /^\/images\//, /^\/robots\.txt$/],
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // Only development validates documents; shoppers never need the validator.
        globIgnores: ['**/validate-ajv-*.js'],
        runtimeCaching: [
          {
            // Catalog images are addressed by content hash, so a cached one is never stale.
            urlPattern: ({ url }) => url.pathname.startsWith('/images/'),
            handler: 'CacheFirst',
            options: { cacheName: 'catalog-images', expiration: { maxEntries: 500 } },
          },
        ],
      },
    }),
    // Last: it compresses what every plugin before it wrote, the service worker included.
    precompress(fileURLToPath(new URL('./apps/shop/dist', import.meta.url))),
  ],
  test: {
    projects,
  },
});
