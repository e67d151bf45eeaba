import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const vite = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));
const config = fileURLToPath(new URL('./shop-build.config.ts', import.meta.url));
/** Node's `--import` that runs the server as the next release (fixtures/upgrade). */
export const NEXT_RELEASE_SERVER = ['--import', fileURLToPath(new URL('./fixtures/upgrade/next-release.mjs', import.meta.url))];

/**
 * Builds the shop into `outDir` under the build name `name` (what it sends as
 * `x-pourover-app`): today's app, or with `next` the next release, whose
 * protocol and profile and draft schema versions are one above today's.
 */
export async function buildShopInto(outDir: string, name: string, next = false): Promise<void> {
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'error'], {
    cwd: root,
    timeout: 120_000,
    env: {
      ...process.env,
      POUROVER_BUILD_OUT: outDir,
      POUROVER_BUILD_NAME: name,
      ...(next ? { POUROVER_BUILD_NEXT: '1' } : {}),
    },
  });
}
