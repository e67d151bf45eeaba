import type { WireDocument } from '@pourover/protocol';
import { canonicalJson, sortKeys } from './canonical.ts';
import type { Expectation } from './store.ts';

export type Decision = 'apply' | 'unchanged' | 'conflict';

/**
 * A document's state and its canonical JSON. A store keeps the JSON it wrote
 * (`canonicalJson` of what it parses back is that same text), so comparing
 * states needs no encoding of the current one, and the next one is encoded
 * once, for the comparison and for storing. `document` is the canonical
 * copy, what a read of the stored JSON gives for a JSON document: no
 * caller's later change to the object it wrote reaches it.
 */
export type Encoded = { document: WireDocument; json: string };

export const encoded = (document: WireDocument): Encoded => {
  const sorted = sortKeys(document) as WireDocument;
  return { document: sorted, json: JSON.stringify(sorted) };
};

/**
 * Whether a write applies over the current state. Shared by every store so
 * they decide alike.
 * - `assumed` (a push) is lenient: a write equal to the current state is
 *   `unchanged`, not a conflict, which makes a retried push idempotent.
 * - `absent` and `equals` (a batch's preconditions) are strict: they hold or
 *   the write conflicts, so a retried batch cannot pass twice (a counter
 *   taken twice for one request, say).
 */
export function decide(current: Encoded | null, next: Encoded, expect: Expectation): Decision {
  if (expect.kind === 'first' && current !== null) return 'unchanged';
  const currentJson = current?.json ?? null;
  const same = currentJson === next.json;
  const holds = (() => {
    switch (expect.kind) {
      case 'none':
      case 'first':
        return true;
      case 'absent':
        return current === null || current.document._deleted;
      case 'equals':
        return currentJson === canonicalJson(expect.state);
      case 'assumed':
        return same || current === null || (expect.state !== null && currentJson === canonicalJson(expect.state));
    }
  })();
  if (!holds) return 'conflict';
  return same ? 'unchanged' : 'apply';
}
