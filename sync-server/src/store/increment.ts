import type { WireDocument } from '@pourover/protocol';
import type { z } from 'zod';
import type { Increment, IncrementRefusal } from './store.ts';

/**
 * The document after a guarded increment, or why it may not apply. Shared
 * by every store so they decide alike. A count its collection's schema does
 * not allow (below zero, past its maximum) is the limit too: no increment
 * ever stores a document its schema refuses.
 */
export function applyIncrement(
  current: WireDocument | null,
  write: { collection: string; increment: Increment; schema: z.ZodObject },
  now: Date,
): WireDocument | IncrementRefusal {
  const { increment } = write;
  if (!current || current._deleted) return 'absent';
  const value = Number(current[increment.field] ?? 0) + increment.by;
  if (increment.atMost !== undefined && value > Number(current[increment.atMost])) return 'limit';
  if (increment.before !== undefined && !(now.toISOString() < String(current[increment.before]))) return 'too-late';
  const { _deleted, ...fields } = current;
  if (!write.schema.safeParse({ ...fields, [increment.field]: value }).success) return 'limit';
  return { ...current, [increment.field]: value };
}
