import type { BatchOperation } from '@pourover/protocol';
import type { SlotWrite } from './plan-slot-writes.ts';

const live = <T extends object>(document: T) => ({ ...document, _deleted: false });

/** The batch operation of a planned write, guarded by its precondition: `absent` for a new slot, the state it was planned over otherwise. */
export function slotOperation(write: SlotWrite): BatchOperation {
  switch (write.kind) {
    case 'create':
      return { collection: 'availability', precondition: { kind: 'absent' }, write: live(write.slot) };
    case 'capacity':
      return { collection: 'availability', precondition: { kind: 'equals', state: live(write.before) }, write: live(write.after) };
    case 'delete':
      return {
        collection: 'availability',
        precondition: { kind: 'equals', state: live(write.before) },
        write: { ...write.before, _deleted: true },
      };
  }
}
