import type { WireDocument } from '@pourover/protocol';
import type { Increment, IncrementRefusal } from './store.ts';

/**
 * The document after a guarded increment, or why it may not apply. Shared
 * by every store so they decide alike.
 */
export function applyIncrement(current: WireDocument | null, increment: Increment, now: Date): WireDocument | IncrementRefusal {
  if (!current || current._deleted) return 'absent';
  const value = Number(current[increment.field] ?? 0) + increment.by;
  if (increment.atMost !== undefined && value > Number(current[increment.atMost])) return 'limit';
  if (increment.before !== undefined && !(now.toISOString() < String(current[increment.before]))) return 'too-late';
  return { ...current, [increment.field]: value };
}
