import type { WireDocument } from '@pourover/protocol';
import { derivedFields, editDraft, emptyDraftUpdate, type Order } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import type { StoredDocument } from '../store/store.ts';
import { uuid } from '../test-support.ts';
import { planDraftPush } from './draft-writes.ts';

const beans = uuid(101);
const filter = uuid(102);
const priceList = new Map([
  [beans, 2_000],
  [filter, 500],
]);
const prices = (itemId: string) => priceList.get(itemId);
const context = { prices, now: new Date('2026-11-23T10:00:00Z') };

function draft(ydoc: string): Order & { _deleted: boolean } {
  return { id: uuid(1), status: 'draft', ydoc, ...derivedFields(ydoc, prices), createdTime: '2026-11-23T09:00:00.000Z', _deleted: false };
}

const stored = (document: WireDocument): StoredDocument => ({
  replica: 'bluebottle:users:s1',
  collection: 'draftOrders',
  document,
  seq: 7,
  updatedAt: '2026-11-23T09:30:00.000Z',
  commit: 7,
});

describe('a pushed draft', () => {
  const created = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: beans, count: 1 }]);
  const edited = editDraft(created, [{ kind: 'setCount', itemId: filter, count: 2 }]);

  it('goes back to a device that pushed less than the server holds, merged', () => {
    // The device's write was acknowledged to no one; pushed again, it meets another device's edit it will never be sent.
    const plan = planDraftPush({ newDocumentState: draft(created) as WireDocument }, stored(draft(edited) as WireDocument), context);
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0]?.['lines']).toEqual([
      { itemId: beans, count: 1 },
      { itemId: filter, count: 2 },
    ]);
    expect(plan.writes.map((write) => ('document' in write ? write.document['lines'] : undefined))).toEqual([plan.conflicts[0]?.['lines']]);
  });

  it('is answered with no conflict when the device already shows all the server holds', () => {
    const plan = planDraftPush({ assumedMasterState: draft(created) as WireDocument, newDocumentState: draft(edited) as WireDocument }, stored(draft(created) as WireDocument), context);
    expect(plan.conflicts).toEqual([]);
    expect(plan.writes).toHaveLength(1);
  });

  it('is answered with no conflict when the device pushed over the state the server holds, even showing less', () => {
    // A device whose own conflict rule dropped part of the merge it was sent: answering it again would go back and forth.
    const plan = planDraftPush({ assumedMasterState: draft(edited) as WireDocument, newDocumentState: draft(created) as WireDocument }, stored(draft(edited) as WireDocument), context);
    expect(plan.conflicts).toEqual([]);
    expect(plan.writes.map((write) => ('document' in write ? write.document['lines'] : undefined))).toEqual([draft(edited).lines]);
  });
});
