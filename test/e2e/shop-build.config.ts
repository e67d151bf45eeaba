import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin, PluginOption, UserConfig } from 'vite';
import shop from '../../vite.config.ts';

/**
 * The shop's own Vite config, built for a test (see shop-builds.ts): into
 * `POUROVER_BUILD_OUT`, named `POUROVER_BUILD_NAME`, and with
 * `POUROVER_BUILD_NEXT=1` as the next release (fixtures/upgrade). It drops
 * only the precompression, which writes beside the shop's own `dist`.
 */
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`shop-build.config.ts needs ${name}`);
  return value;
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/upgrade/', import.meta.url));
const redirects = new Map(
  Object.entries(JSON.parse(readFileSync(`${fixtures}redirects.json`, 'utf8')) as Record<string, string>).map(([real, fixture]) => [
    `${root}${real}`,
    `${fixtures}${fixture}`,
  ]),
);

/** Today's modules named in redirects.json replaced by the next release's fixtures, except where a fixture builds on them. */
const nextRelease: Plugin = {
  name: 'pourover-test-next-release',
  enforce: 'pre',
  async resolveId(source, importer, options) {
    if (importer?.startsWith(fixtures)) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return (resolved && redirects.get(resolved.id)) ?? null;
  },
};

const isPrecompress = (plugin: PluginOption): boolean =>
  typeof plugin === 'object' && plugin !== null && 'name' in plugin && plugin.name === 'pourover-precompress';

const config: UserConfig = {
  ...(shop as UserConfig),
  root: `${root}apps/shop`,
  define: { __APP_BUILD__: JSON.stringify(env('POUROVER_BUILD_NAME')) },
  build: { outDir: env('POUROVER_BUILD_OUT'), emptyOutDir: true },
  plugins: [
    ...(process.env['POUROVER_BUILD_NEXT'] === '1' ? [nextRelease] : []),
    ...((shop as UserConfig).plugins ?? []).filter((plugin) => !isPrecompress(plugin)),
  ],
};
delete (config as { test?: unknown }).test;

export default config;
