import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const replacement = fileURLToPath(new URL('../src/unload-on-pagehide.ts', import.meta.url));

/** Resolves the `unload` package to our `pagehide` version in the browser build (tests in Node keep the package). */
export function unloadOnPagehide(): Plugin {
  return {
    name: 'pourover-unload-on-pagehide',
    apply: 'build',
    enforce: 'pre',
    resolveId: (source) => (source === 'unload' ? replacement : undefined),
  };
}
