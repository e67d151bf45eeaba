import { randomUUID } from 'node:crypto';
import { editDraft, emptyDraftUpdate, type Order } from '@pourover/schemas';

/** A draft order whose Yjs document holds `note` (drafts' queryable fields follow their document). */
export function draftOrder(note: string, id: string = randomUUID()): Order {
  return {
    id,
    status: 'draft',
    lines: [],
    itemCount: 0,
    totalCents: 0,
    note,
    slotId: null,
    ydoc: editDraft(emptyDraftUpdate(), [{ kind: 'setNote', note }]),
    createdTime: new Date().toISOString(),
  };
}
