import type { WireDocument } from '@pourover/protocol';
import { collections, type CollectionName } from '@pourover/schemas';
import type { Increment, IncrementRefusal } from './store.ts';

/**
 * The document after a guarded increment, or why it may not apply. Shared
 * by every store so they decide alike. A count its collection's schema does
 * not allow (below zero, past its maximum) is the limit too: no increment
 * ever stores a document its schema refuses.
 */
export function applyIncrement(
  current: WireDocument | null,
  write: { collection: CollectionName; increment: Increment },
  now: Date,
): WireDocument | IncrementRefusal {
  const { increment } = write;
  if (!current || current._deleted) return 'absent';
  const value = Number(current[increment.field] ?? 0) + increment.by;
  if (increment.atMost !== undefined && value > Number(current[increment.atMost])) return 'limit';
  if (increment.before !== undefined && !(now.toISOString() < String(current[increment.before]))) return 'too-late';
  const { _deleted, ...fields } = current;
  if (!collections[write.collection].schema.safeParse({ ...fields, [increment.field]: value }).success) return 'limit';
  return { ...current, [increment.field]: value };
}
