import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The sync engine: what every app runs on, and so must name none. */
const ENGINE = ['packages/protocol', 'packages/replica', 'packages/sync-client', 'packages/logging', 'sync-server/src'];

/** The one file where the server binary meets the shop: its app wiring. */
const WIRING = 'sync-server/src/app/pourover-app.ts';

/**
 * The words of the coffee shop, as patterns over source text (camelCase
 * counts: `draftOrders` names a draft and orders):
 * - its documents and their fields: drafts, orders (a word of its own, not
 *   "in change order"), the catalog, prices and cents, delivery slots and
 *   availability, payments, the Yjs document of a draft (`ydoc`);
 * - what happens to them: placing, placed;
 * - its names: the store's blessing `bluebottle`, coffee, the order processor.
 * Left out on purpose: `shopper`, `store` and `place` (the engine's names for
 * a replica's owner, the root replica and a server-written grant), `slot`
 * alone (the server's stream slots), `item` and `yjs` (generic).
 */
const WORDS: readonly RegExp[] = [
  /bluebottle/,
  /[Dd]raft/,
  /[Cc]atalog/,
  /(?<![a-z])plac(?:ed|ing)|Plac(?:ed|ing)/,
  /[Yy][Dd]oc/,
  /[Pp]ayment/,
  /(?<![a-z])orders?(?![a-z])|Orders?(?![a-z])/,
  /[Dd]eliver(?:y|ies)|slotId|[Aa]vailability/,
  /[Pp]rice|(?<![a-z])cents|Cents/,
  /[Cc]offee|[Bb]arista/,
  /[Pp]rocessor/,
];

/** English that says "order" of something else: a sequence. */
const SEQUENCE =
  /\b(?:in|change|commit|insertion|same|sort|key|log|write|arrival|their|its|in the|reverse|any|stable|that|this|name|expiry|change-log) order\b|\border (?:of|in which|they|it)\b|out of order/gi;

/**
 * Files of the engine that still name the shop, each waiting to move out
 * (issue 22). The list only shrinks: a file that no longer names the shop
 * must leave it, and a new file that names it fails the test above.
 */
const NOT_YET_MOVED: readonly string[] = [];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return files(path);
    return /\.(tsx?|json|md)$/.test(name) ? [relative(root, path)] : [];
  });
}

/** The first of the shop's words a file names, with its line, or undefined. */
function shopWordIn(file: string): string | undefined {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    const text = line.replace(SEQUENCE, '');
    for (const word of WORDS) {
      const found = word.exec(text);
      if (found) return `${file}:${index + 1}: ${found[0]}`;
    }
  }
  return undefined;
}

describe('the sync engine', () => {
  const engineFiles = ENGINE.flatMap((dir) => files(join(root, dir))).filter((file) => file !== WIRING);

  it('names nothing of the coffee shop, outside its one app wiring', () => {
    const named = engineFiles.filter((file) => !NOT_YET_MOVED.includes(file)).flatMap((file) => shopWordIn(file) ?? []);
    expect(named).toEqual([]);
  });

  it('keeps its list of files not yet moved to the ones that still name the shop', () => {
    expect(NOT_YET_MOVED.filter((file) => !engineFiles.includes(file) || shopWordIn(file) === undefined)).toEqual([]);
  });

  it('would see the shop in a file that named it', () => {
    const named = (text: string) => WORDS.some((word) => word.test(text.replace(SEQUENCE, '')));
    expect(['draftOrders', 'a placed order', 'catalog.priceCents', "STORE = 'bluebottle'", 'paymentToken', 'the ydoc'].map(named)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['in change order', 'replaced', 'stream slots', 'commits in commit order', 'the shopper'].map(named)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
