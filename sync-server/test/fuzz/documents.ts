/**
 * The fuzz's documents: ids mostly of documents that exist, a valid body
 * for each collection (drafts with Yjs documents of random edits), now and
 * then one of another collection, and loose states the server only
 * compares.
 */
import {
  catalogKinds,
  collectionNames,
  docId,
  editDraft,
  emptyDraftUpdate,
  orderStatuses,
  type CollectionName,
  type DraftEdit,
} from '@pourover/schemas';
import fc from 'fast-check';
import { DEMO_SHOPPER_ID } from '@pourover/orders/server';
import { uuid } from '../support/test-server.ts';
import { setOwn } from './mutations.ts';
import { isoArb, keyArb, textArb, valueArb } from './values.ts';

/** Ids of documents the server holds: the fuzz's own drafts, the store's slots and catalog items. */
export type Pools = { ids: string[]; slotIds: string[]; catalogIds: string[] };

/** Ids a draft's Yjs document names as items: ULIDs no catalog document ever has, so a draft's total stays within bounds. */
const ITEM_POOL = Array.from({ length: 30 }, (_, index) => `7ZZZZZZZZZZZZZZZZZZZZZZZ${'0123456789ABCDEFGHJKMNPQRSTVWXYZ'[index] ?? '0'}Z`);

export const collectionArb = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...collectionNames) },
  { weight: 1, arbitrary: fc.constantFrom('nope', 'User', '', '__proto__') },
);

/** Ids mostly from the pools, now and then new or malformed. */
export function idArbitrary(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 36, arbitrary: fc.constantFrom(...pools.ids, ...pools.slotIds, ...pools.catalogIds, DEMO_SHOPPER_ID) },
    { weight: 9, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) },
    { weight: 1, arbitrary: fc.constantFrom('not-an-id', '', 'A'.repeat(37), uuid(1).toUpperCase()) },
  );
}

export type DocumentArbitraries = ReturnType<typeof documentArbitraries>;

/** Documents whose ids come from `idArb`. */
export function documentArbitraries(idArb: fc.Arbitrary<string>) {
  const itemIdArb = fc.oneof(
    { weight: 60, arbitrary: fc.constantFrom(...ITEM_POOL) },
    { weight: 1, arbitrary: fc.oneof(idArb, fc.string({ maxLength: 10 })) },
  );
  const editArb: fc.Arbitrary<DraftEdit> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('setCount' as const),
        itemId: itemIdArb,
        count: fc.oneof({ weight: 60, arbitrary: fc.integer({ min: -3, max: 150 }) }, { weight: 1, arbitrary: fc.constantFrom(1.5, 1e9) }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), itemId: itemIdArb }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('setNote' as const),
        note: fc.oneof(
          { weight: 60, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
          { weight: 1, arbitrary: fc.constant('n'.repeat(1_001)) },
        ),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('setSlot' as const),
        slotId: fc.oneof(
          {
            weight: 60,
            arbitrary: fc.option(
              idArb.filter((id) => docId.safeParse(id).success),
              { nil: null },
            ),
          },
          { weight: 1, arbitrary: fc.constant('not-a-slot') },
        ),
      }),
    },
  );
  // Yjs gives each new document a random client id, so a ydoc's bytes (not its content) differ from run to run.
  const ydocArb = fc.oneof(
    { weight: 8, arbitrary: fc.constant(emptyDraftUpdate()) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 30, arbitrary: fc.array(editArb, { maxLength: 6 }).map((edits) => editDraft(emptyDraftUpdate(), edits)) },
    { weight: 1, arbitrary: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 20 })) },
  );

  const bodies: { [K in CollectionName]: fc.Arbitrary<Record<string, unknown>> } = {
    user: fc.record({ id: idArb, name: textArb(120), email: textArb(254), address: textArb(500), paymentToken: textArb(200) }),
    draftOrders: orderArb(),
    placedOrders: orderArb(),
    processedOrders: orderArb(),
    orderRequests: fc.record(
      {
        id: idArb,
        kind: fc.oneof(fc.constant('cancel'), fc.string({ maxLength: 8 })),
        reason: textArb(500),
        answer: fc.record({ outcome: fc.constantFrom('accepted', 'refused', 'maybe'), reason: textArb(500), at: isoArb }),
      },
      { requiredKeys: ['id', 'kind'] },
    ),
    deliveries: fc.record({
      id: idArb,
      orderReplica: textArb(120),
      customerName: textArb(120),
      address: textArb(500),
      note: textArb(1_000),
      items: fc.array(fc.record({ name: textArb(200), count: fc.integer({ min: 0, max: 100 }) }), { maxLength: 3 }),
      totalCents: fc.integer({ min: -1, max: 100_000_000 }),
      slotStart: fc.oneof(isoArb, fc.constant(null)),
      slotEnd: fc.oneof(isoArb, fc.constant(null)),
      status: fc.constantFrom('assigned', 'pickedUp', 'delivered', 'withdrawn', 'lost'),
      steps: fc.array(fc.record({ status: fc.constantFrom('assigned', 'delivered'), at: isoArb }), { maxLength: 3 }),
    }),
    availability: fc.record({
      id: idArb,
      start: isoArb,
      end: isoArb,
      capacity: fc.integer({ min: 0, max: 10_000 }),
      taken: fc.integer({ min: 0, max: 10_000 }),
      cutoff: isoArb,
    }),
    catalog: fc.record({
      id: idArb,
      name: textArb(80, 1),
      description: textArb(500),
      kind: fc.constantFrom(...catalogKinds),
      priceCents: fc.integer({ min: 0, max: 100_000_000 }),
      image: fc.stringMatching(/^[0-9a-f]{64}$/),
      available: fc.boolean(),
    }),
  };
  function orderArb() {
    return fc.record(
      {
        id: idArb,
        status: fc.constantFrom(...orderStatuses),
        lines: fc.array(fc.record({ itemId: idArb, count: fc.integer({ min: 1, max: 99 }) }), { maxLength: 4 }),
        itemCount: fc.integer({ min: 0, max: 9_900 }),
        totalCents: fc.integer({ min: 0, max: 100_000_000 }),
        note: textArb(1_000),
        slotId: fc.option(idArb, { nil: null }),
        ydoc: ydocArb,
        createdTime: isoArb,
        placedTime: isoArb,
        receivedTime: isoArb,
        rejectReason: textArb(500),
        splitFrom: idArb,
      },
      { requiredKeys: ['id', 'status', 'lines', 'itemCount', 'totalCents', 'note', 'slotId', 'ydoc', 'createdTime'] },
    );
  }

  const deletedArb = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  const wire = (body: fc.Arbitrary<Record<string, unknown>>) =>
    fc.tuple(body, deletedArb).map(([fields, deleted]) => ({ ...fields, _deleted: deleted }));
  /** A document of `collection` mostly, now and then one valid for another collection. */
  const documentArb = (collection: string) =>
    fc.oneof(
      {
        weight: 20,
        arbitrary: wire(bodies[(collectionNames as readonly string[]).includes(collection) ? (collection as CollectionName) : 'user']),
      },
      { weight: 1, arbitrary: fc.constantFrom(...collectionNames).chain((other) => wire(bodies[other])) },
    );
  /** A state the server only compares (an assumed master state, a precondition): a loose object with extra keys. */
  const looseStateArb = fc
    .tuple(fc.record({ id: idArb, _deleted: fc.boolean() }), fc.array(fc.tuple(keyArb, valueArb), { maxLength: 3 }))
    .map(([base, extra]) => {
      const state: Record<string, unknown> = {};
      for (const [key, value] of extra) setOwn(state, key, value);
      setOwn(state, 'id', base.id);
      setOwn(state, '_deleted', base._deleted);
      return state;
    });
  return { documentArb, looseStateArb };
}
