import type { WireDocument } from '@pourover/protocol';
import { canonicalJson } from './canonical.ts';
import type { Expectation } from './store.ts';

export type Decision = 'apply' | 'unchanged' | 'conflict';

/**
 * Whether a write applies over the current state. A write that equals the
 * current state changes nothing and is not a conflict: that is what makes a
 * retried push idempotent. Shared by every store so they decide alike.
 */
export function decide(current: WireDocument | null, next: WireDocument, expect: Expectation): Decision {
  const currentJson = current && canonicalJson(current);
  if (currentJson === canonicalJson(next)) return 'unchanged';
  switch (expect.kind) {
    case 'none':
      return 'apply';
    case 'absent':
      return current === null || current._deleted ? 'apply' : 'conflict';
    case 'equals':
      return currentJson === canonicalJson(expect.state) ? 'apply' : 'conflict';
    case 'assumed':
      if (current === null) return 'apply';
      if (expect.state === null) return 'conflict';
      return currentJson === canonicalJson(expect.state) ? 'apply' : 'conflict';
  }
}
