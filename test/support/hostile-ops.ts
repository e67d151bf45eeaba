import { randomUUID } from 'node:crypto';
import type { WireDocument } from '@pourover/protocol';
import { derivedFields, editDraft, emptyDraftUpdate, type DraftEdit } from '@pourover/schemas';
import fc from 'fast-check';

/** The items and slots a hostile draft may name, as the test's store holds them. */
export type Stock = {
  sold: { id: string; priceCents: number }[];
  unavailable: string;
  removed: string;
  slots: { roomy: string; tiny: string; closed: string };
};

/** What a device forges into fields the server owns: found anywhere after, it is a failure. */
export const FORGED = { timePrefix: '2001-', time: '2001-01-01T00:00:00.000Z', reason: 'forged by a device', splitFrom: randomUUID() };

const itemKinds = ['sold', 'sold', 'sold', 'unavailable', 'removed', 'unknown'] as const;
const counts = [1, 1, 2, 3, 99, 150, 2.5] as const;

/** A draft as a hostile device may write it: any items and counts, any slot, any total, forged fields, any payment. */
export type DraftSpec = {
  items: { kind: (typeof itemKinds)[number]; pick: number; count: (typeof counts)[number] }[];
  slot: 'roomy' | 'tiny' | 'closed' | 'none' | 'unknown';
  total: 'right' | 'low' | 'zero';
  forge: { times: boolean; status: boolean; reasons: boolean; splitFrom: boolean; prices: boolean };
  payment: 'seen' | 'declining' | 'none' | 'unsaid';
};

export const draftSpec: fc.Arbitrary<DraftSpec> = fc.record({
  items: fc.array(fc.record({ kind: fc.constantFrom(...itemKinds), pick: fc.nat(), count: fc.constantFrom(...counts) }), { maxLength: 3 }),
  slot: fc.constantFrom('roomy', 'roomy', 'roomy', 'tiny', 'closed', 'none', 'unknown'),
  total: fc.constantFrom('right', 'right', 'right', 'low', 'zero'),
  forge: fc.record({ times: fc.boolean(), status: fc.boolean(), reasons: fc.boolean(), splitFrom: fc.boolean(), prices: fc.boolean() }),
  payment: fc.constantFrom('seen', 'seen', 'declining', 'none', 'unsaid'),
});

/** The document a device pushes for `spec`, as `status`. */
export function hostileDraft(stock: Stock, id: string, status: 'draft' | 'placing', spec: DraftSpec): WireDocument {
  const priceOf = (itemId: string) => stock.sold.find((item) => item.id === itemId)?.priceCents;
  const itemId = (item: DraftSpec['items'][number]) =>
    item.kind === 'sold'
      ? (stock.sold[item.pick % stock.sold.length]?.id ?? '')
      : item.kind === 'unknown'
        ? randomUUID()
        : stock[item.kind];
  const slotId = spec.slot === 'none' ? null : spec.slot === 'unknown' ? randomUUID() : stock.slots[spec.slot];
  const edits: DraftEdit[] = [
    ...spec.items.map((item): DraftEdit => ({ kind: 'setCount', itemId: itemId(item), count: item.count })),
    { kind: 'setSlot', slotId },
  ];
  const ydoc = editDraft(emptyDraftUpdate(), edits);
  const fields = derivedFields(ydoc, priceOf);
  const totalCents = spec.total === 'right' ? fields.totalCents : spec.total === 'low' ? Math.floor(fields.totalCents / 2) : 0;
  const lines = spec.forge.prices ? fields.lines.map((line) => ({ ...line, unitCents: 1 })) : fields.lines;
  return {
    id,
    ...fields,
    lines,
    totalCents,
    ydoc,
    status: spec.forge.status ? 'received' : status,
    createdTime: spec.forge.times ? FORGED.time : new Date().toISOString(),
    ...(spec.forge.times ? { placedTime: FORGED.time, receivedTime: FORGED.time } : {}),
    ...(spec.forge.reasons ? { rejectReason: FORGED.reason, refusal: { reason: FORGED.reason, at: FORGED.time } } : {}),
    ...(spec.forge.splitFrom ? { splitFrom: FORGED.splitFrom } : {}),
    ...(spec.payment === 'unsaid'
      ? {}
      : { paymentToken: { seen: 'tok_visa_seen', declining: 'tok_decline_hostile', none: '' }[spec.payment] }),
    _deleted: false,
  };
}

/** One step of a run: hostile writes by a shopper's device, or a fault. */
export type Op =
  | { kind: 'draft' | 'place'; shopper: number; device: number; order: number; spec: DraftSpec }
  /** Writes back an order placed in an earlier step or run, live and placing again, over its tombstone or over nothing. */
  | { kind: 'revive'; shopper: number; device: number; pick: number; overTombstone: boolean }
  /** Places an order under the id of another shopper's order. */
  | { kind: 'steal'; shopper: number; device: number; pick: number; spec: DraftSpec }
  /** Sends one of this run's earlier pushes again, as it was. */
  | { kind: 'replay'; pick: number }
  /** Writes past the push: a batch into drafts, placed or processed orders, or a slot's places. */
  | { kind: 'batch'; shopper: number; device: number; target: 'draftOrders' | 'placedOrders' | 'processedOrders' | 'availability' }
  | { kind: 'card'; shopper: number; card: 'tok_visa_card' | 'tok_decline_card' | '' }
  | { kind: 'killProcessor' }
  | { kind: 'killServer'; midPush: boolean };

export function ops(shoppers: number): fc.Arbitrary<Op[]> {
  const shopper = fc.nat({ max: shoppers - 1 });
  const device = fc.nat({ max: 1 });
  const order = fc.nat({ max: 3 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('draft' as const), shopper, device, order, spec: draftSpec }) },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('place' as const), shopper, device, order, spec: draftSpec }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('revive' as const), shopper, device, pick: fc.nat(), overTombstone: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('steal' as const), shopper, device, pick: fc.nat(), spec: draftSpec }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('batch' as const),
        shopper,
        device,
        target: fc.constantFrom('draftOrders' as const, 'placedOrders' as const, 'processedOrders' as const, 'availability' as const),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('card' as const),
        shopper,
        card: fc.constantFrom('tok_visa_card' as const, 'tok_decline_card' as const, '' as const),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'killProcessor' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('killServer' as const), midPush: fc.boolean() }) },
  );
  return fc.array(op, { minLength: 1, maxLength: 8 });
}
