import type { WireDocument } from '@pourover/protocol';
import { canonicalJson } from './canonical.ts';
import type { Expectation } from './store.ts';

export type Decision = 'apply' | 'unchanged' | 'conflict';

/**
 * Whether a write applies over the current state. Shared by every store so
 * they decide alike.
 * - `assumed` (a push) is lenient: a write equal to the current state is
 *   `unchanged`, not a conflict, which makes a retried push idempotent.
 * - `absent` and `equals` (a batch's preconditions) are strict: they hold or
 *   the write conflicts, so a retried batch cannot pass twice (a second slot
 *   taken for one order, say).
 */
export function decide(current: WireDocument | null, next: WireDocument, expect: Expectation): Decision {
  if (expect.kind === 'first' && current !== null) return 'unchanged';
  const currentJson = current && canonicalJson(current);
  const same = currentJson === canonicalJson(next);
  const holds = (() => {
    switch (expect.kind) {
      case 'none':
      case 'first':
        return true;
      case 'absent':
        return current === null || current._deleted;
      case 'equals':
        return currentJson === canonicalJson(expect.state);
      case 'assumed':
        return same || current === null || (expect.state !== null && currentJson === canonicalJson(expect.state));
    }
  })();
  if (!holds) return 'conflict';
  return same ? 'unchanged' : 'apply';
}
