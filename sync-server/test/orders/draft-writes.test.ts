import type { WireDocument } from '@pourover/protocol';
import { derivedFields, editDraft, emptyDraftUpdate, type DeliverySlot, type Order } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { planDraftPush, type Catalog, type CatalogEntry, type DraftContext, type PlacingFacts } from '@pourover/orders/server';
import type { StoredDocument } from '../../src/store/store.ts';
import { uuid } from '../support/test-server.ts';

const beans = uuid(101);
const filter = uuid(102);
const priceList = new Map([
  [beans, 2_000],
  [filter, 500],
]);
const prices = (itemId: string) => priceList.get(itemId);
const entries = new Map<string, CatalogEntry>(
  [...priceList].map(([id, priceCents]) => [id, { name: `item ${id.slice(-3)}`, priceCents, available: true, live: true }]),
);
const catalog: Catalog = { entry: (id) => entries.get(id), priceOf: prices };
const context: DraftContext = { catalog, now: new Date('2026-11-23T10:00:00Z') };

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
    const plan = planDraftPush(
      { assumedMasterState: draft(created) as WireDocument, newDocumentState: draft(edited) as WireDocument },
      stored(draft(created) as WireDocument),
      context,
    );
    expect(plan.conflicts).toEqual([]);
    expect(plan.writes).toHaveLength(1);
  });

  it('is answered with no conflict when the device pushed over the state the server holds, even showing less', () => {
    // A device whose own conflict rule dropped part of the merge it was sent: answering it again would go back and forth.
    const plan = planDraftPush(
      { assumedMasterState: draft(edited) as WireDocument, newDocumentState: draft(created) as WireDocument },
      stored(draft(edited) as WireDocument),
      context,
    );
    expect(plan.conflicts).toEqual([]);
    expect(plan.writes.map((write) => ('document' in write ? write.document['lines'] : undefined))).toEqual([draft(edited).lines]);
  });
});

const slot: DeliverySlot = {
  id: uuid(300),
  start: '2026-11-23T12:00:00.000Z',
  end: '2026-11-23T13:00:00.000Z',
  capacity: 10,
  taken: 3,
  cutoff: '2026-11-23T11:00:00.000Z',
};
const facts = (fields: Partial<PlacingFacts> = {}): NonNullable<DraftContext['placing']> => ({
  facts: { catalog, now: context.now, slot, paymentToken: 'tok_visa', ...fields },
  placedAlready: undefined,
});
const filled = editDraft(emptyDraftUpdate(), [
  { kind: 'setCount', itemId: beans, count: 2 },
  { kind: 'setSlot', slotId: slot.id },
]);
const placing = (fields: Partial<Order> = {}) => ({ ...draft(filled), status: 'placing' as const, ...fields }) as WireDocument;
const documentOf = (plan: ReturnType<typeof planDraftPush>, collection: string) =>
  plan.writes.flatMap((write) => (write.collection === collection && 'document' in write ? [write.document] : []))[0];

describe('the fields of a draft the server owns', () => {
  it('are the server’s, whatever a device pushes: status, times, reasons, payment and provenance', () => {
    const forged = {
      ...draft(filled),
      status: 'received',
      createdTime: '2020-01-01T00:00:00.000Z',
      placedTime: '2020-01-01T00:00:00.000Z',
      receivedTime: '2020-01-01T00:00:00.000Z',
      rejectReason: 'forged',
      splitFrom: uuid(9),
      paymentToken: 'tok_someone_else',
      refusal: { reason: 'forged', at: '2020-01-01T00:00:00.000Z' },
    };
    const fresh = documentOf(planDraftPush({ newDocumentState: forged as WireDocument }, null, context), 'draftOrders');
    expect(fresh).toMatchObject({ status: 'draft', createdTime: context.now.toISOString() });
    for (const field of ['placedTime', 'receivedTime', 'rejectReason', 'splitFrom', 'paymentToken', 'refusal'])
      expect(fresh, field).not.toHaveProperty(field);
    const held = stored({ ...draft(filled), createdTime: '2026-11-23T08:00:00.000Z' } as WireDocument);
    expect(documentOf(planDraftPush({ newDocumentState: forged as WireDocument }, held, context), 'draftOrders')?.['createdTime']).toBe(
      '2026-11-23T08:00:00.000Z',
    );
  });

  it('keep the creation time of a new draft made minutes ago, by a device whose clock is right', () => {
    const recent = { ...draft(filled), createdTime: '2026-11-23T09:55:00.000Z' } as WireDocument;
    expect(documentOf(planDraftPush({ newDocumentState: recent }, null, context), 'draftOrders')?.['createdTime']).toBe(
      '2026-11-23T09:55:00.000Z',
    );
    const ahead = { ...draft(filled), createdTime: '2026-11-23T10:05:00.000Z' } as WireDocument;
    expect(documentOf(planDraftPush({ newDocumentState: ahead }, null, context), 'draftOrders')?.['createdTime']).toBe(
      context.now.toISOString(),
    );
  });

  it('price every line from the catalog, never from the device', () => {
    const cheap = { ...draft(filled), lines: [{ itemId: beans, count: 2 }], totalCents: 1 } as WireDocument;
    expect(documentOf(planDraftPush({ newDocumentState: cheap }, null, context), 'draftOrders')?.['totalCents']).toBe(4_000);
  });

  it('refuse a draft that names an item the catalog never held, or a count past 99, as bad input', () => {
    const unknown = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: uuid(999), count: 1 }]);
    expect(() => planDraftPush({ newDocumentState: draft(unknown) as WireDocument }, null, context)).toThrow(/not in the catalog/);
    const huge = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: beans, count: 150 }]);
    expect(() => planDraftPush({ newDocumentState: draft(huge) as WireDocument }, null, context)).toThrow(/whole number from 1 to 99/);
  });
});

describe('a draft pushed as placed', () => {
  it('moves to placedOrders priced per line, stamped by the server, with the payment the shopper saw', () => {
    const plan = planDraftPush(
      { newDocumentState: placing({ paymentToken: 'tok_forged', placedTime: '2020-01-01T00:00:00.000Z' }) },
      stored(draft(filled) as WireDocument),
      { ...context, placing: facts({ paymentToken: 'tok_seen' }) },
    );
    expect(plan.conflicts).toEqual([]);
    expect(documentOf(plan, 'placedOrders')).toMatchObject({
      status: 'placed',
      placedTime: context.now.toISOString(),
      createdTime: '2026-11-23T09:00:00.000Z',
      paymentToken: 'tok_seen',
      lines: [{ itemId: beans, count: 2, unitCents: 2_000 }],
      totalCents: 4_000,
    });
    expect(documentOf(plan, 'draftOrders')).toMatchObject({ _deleted: true, status: 'placed' });
  });

  it.each([
    [
      'an item made unavailable',
      {
        catalog: {
          ...catalog,
          entry: (id: string) => (id === beans ? { name: 'Beans', priceCents: 2_000, available: false, live: true } : entries.get(id)),
        },
      },
      /Beans is not available now/,
    ],
    [
      'an item no longer sold',
      {
        catalog: {
          ...catalog,
          entry: (id: string) => (id === beans ? { name: 'Beans', priceCents: 2_000, available: false, live: false } : entries.get(id)),
        },
      },
      /Beans is no longer sold/,
    ],
    ['a slot that no longer exists', { slot: undefined }, /no longer exists/],
    ['a full slot', { slot: { ...slot, taken: 10 } }, /is full/],
    ['a slot whose orders closed', { slot: { ...slot, cutoff: '2026-11-23T09:59:59.999Z' } }, /have closed/],
    ['no payment method', { paymentToken: '' }, /add a payment method/],
  ] as const)('stays a draft, with the reason, when it has %s', (_, changed, reason) => {
    const plan = planDraftPush({ newDocumentState: placing() }, stored(draft(filled) as WireDocument), {
      ...context,
      placing: facts(changed as Partial<PlacingFacts>),
    });
    expect(documentOf(plan, 'placedOrders')).toBeUndefined();
    const kept = documentOf(plan, 'draftOrders');
    expect(kept).toMatchObject({ status: 'draft', _deleted: false, refusal: { at: context.now.toISOString() } });
    expect((kept?.['refusal'] as { reason: string }).reason).toMatch(reason);
    expect(plan.conflicts).toEqual([kept]);
  });

  it('stays a draft when the prices changed since the shopper saw its total, or when it is empty', () => {
    const stale = planDraftPush({ newDocumentState: placing({ totalCents: 3_000 }) }, null, { ...context, placing: facts() });
    expect((documentOf(stale, 'draftOrders')?.['refusal'] as { reason: string }).reason).toBe(
      'the prices changed: the order now costs $40.00, not the $30.00 shown; check it and place it again',
    );
    const empty = planDraftPush({ newDocumentState: { ...draft(emptyDraftUpdate()), status: 'placing' } as WireDocument }, null, {
      ...context,
      placing: facts(),
    });
    expect((documentOf(empty, 'draftOrders')?.['refusal'] as { reason: string }).reason).toMatch(/the order is empty/);
  });

  it('is never placed twice: an id already placed leaves no live draft, and the device is told where it went', () => {
    const processed = {
      ...draft(filled),
      status: 'received',
      placedTime: context.now.toISOString(),
      receivedTime: context.now.toISOString(),
    } as Order & { _deleted: boolean };
    const plan = planDraftPush({ newDocumentState: placing() }, null, { ...context, placing: { ...facts(), placedAlready: processed } });
    expect(documentOf(plan, 'placedOrders')).toBeUndefined();
    expect(documentOf(plan, 'draftOrders')).toMatchObject({ _deleted: true, status: 'placed' });
    expect(plan.conflicts).toMatchObject([{ _deleted: true, status: 'placed' }]);
  });
});
