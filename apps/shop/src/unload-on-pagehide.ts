/**
 * Stands in for the `unload` package in the browser build (see
 * `build/unload-on-pagehide.ts`): broadcast-channel's leader election
 * registers its clean-up through it, and `unload` listened to the
 * deprecated `unload` event, which also keeps a page out of the
 * back/forward cache. `pagehide` fires whenever `unload` did, and when the
 * page goes into that cache; a page brought back from it reloads, since
 * its tab gave up leading (another tab may sync meanwhile).
 */
const listeners = new Set<() => unknown>();
let listening = false;

export function runAll(): Promise<unknown[]> {
  const runs = [...listeners].map((listener) => listener());
  listeners.clear();
  return Promise.all(runs);
}

function listen() {
  if (listening || typeof addEventListener !== 'function') return;
  listening = true;
  addEventListener('pagehide', () => void runAll());
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
}

export function add(listener: () => unknown) {
  listen();
  listeners.add(listener);
  return {
    remove: () => listeners.delete(listener),
    run: () => {
      listeners.delete(listener);
      return listener();
    },
  };
}

export function removeAll() {
  listeners.clear();
}

export const getSize = () => listeners.size;
