import { randomUUID } from 'node:crypto';
import type { Order } from '@pourover/schemas';

/** A draft order with valid fields; its note tells drafts apart in tests. */
export function draftOrder(note: string, id: string = randomUUID()): Order {
  return {
    id,
    status: 'draft',
    lines: [],
    itemCount: 0,
    totalCents: 0,
    note,
    slotId: null,
    ydoc: '',
    createdTime: new Date().toISOString(),
  };
}
