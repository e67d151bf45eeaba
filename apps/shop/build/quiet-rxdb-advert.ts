import type { Plugin } from 'vite';

const MODULE = /rxdb\/dist\/esm\/plugins\/storage-dexie\/rx-storage-instance-dexie\.js$/;
const SHOWN_ONCE = 'var shownNonPremiumLog = false;';

/**
 * RxDB's Dexie storage prints a six-line advert for its premium plugins on
 * the first write of every page load; its only switch is the paid premium
 * flag. The build marks the advert as already shown, and nothing else: the
 * premium flag and the open-core limits stay as they are. If RxDB changes
 * that line, the build fails rather than let the advert back in silently.
 */
export function quietRxdbAdvert(): Plugin {
  return {
    name: 'pourover-quiet-rxdb-advert',
    apply: 'build',
    transform(code, id) {
      if (!MODULE.test(id)) return undefined;
      if (!code.includes(SHOWN_ONCE))
        this.error(`RxDB's Dexie storage no longer has "${SHOWN_ONCE}": find how this version shows its advert`);
      return { code: code.replace(SHOWN_ONCE, 'var shownNonPremiumLog = true;'), map: null };
    },
  };
}
