/**
 * The fuzz's pushes and batches: mostly valid requests for what each caller
 * may write, with documents, assumed states, preconditions, increments and
 * replicas drawn at random, now and then the longest a request may be and
 * one past it.
 */
import { MAX_ROWS } from '@pourover/protocol';
import { collectionNames, STORE, type CollectionName } from '@pourover/schemas';
import fc from 'fast-check';
import { userDoc, uuid } from '../support/test-server.ts';
import { callerArb, D, O, type Caller } from './callers.ts';
import { collectionArb, documentArbitraries, idArbitrary, type Pools } from './documents.ts';
import { HUGE_NUMBERS, isoArb, mutationsArb } from './values.ts';

const fieldArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      'taken',
      'capacity',
      'cutoff',
      'start',
      'id',
      'name',
      'priceCents',
      'totalCents',
      'itemCount',
      'note',
      'available',
      'x',
    ),
  },
  { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,63}$/) },
  { weight: 1, arbitrary: fc.constantFrom('_deleted', '__proto__', '', '1a', 'a'.repeat(65)) },
);
/** A document the caller may write (the store: a catalog item), to be given a fresh id. */
const longDocument = (caller: Caller) =>
  caller === 'store'
    ? { name: 'Long', description: '', kind: 'coffee', priceCents: 1, image: 'b'.repeat(64), available: true, _deleted: false }
    : { ...userDoc(0), name: 'Long' };
/** A longest push or batch: many documents with fresh ids, up to one past the limit. */
const longArb = <T>(item: (id: string) => T) =>
  fc.integer({ min: MAX_ROWS - 3, max: MAX_ROWS + 1 }).map((length) => Array.from({ length }, (_, index) => item(uuid(0xa000000 + index))));

/** What a caller's requests mostly name: collections it may write, and (for a batch) the replica it would. */
const writable: Record<Caller, readonly CollectionName[]> = {
  device: ['user', 'draftOrders'],
  other: ['user', 'draftOrders'],
  store: ['placedOrders', 'processedOrders', 'availability', 'catalog'],
  none: collectionNames,
  junk: collectionNames,
};
const collectionFor = (caller: Caller) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...writable[caller]) }, { weight: 1, arbitrary: collectionArb });
const natural: Record<Caller, readonly (string | undefined)[]> = {
  device: [undefined, D],
  other: [undefined, O],
  store: [D, O],
  none: [undefined, D],
  junk: [undefined, D],
};

const replicaArb = (caller: Caller) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...natural[caller]) },
    { weight: 3, arbitrary: fc.constantFrom(D, O, STORE) },
    { weight: 2, arbitrary: fc.constantFrom('bluebottle:users', `${D}:fuzz-phone`, '', 'bluebottle:users:nobody', 'x'.repeat(301)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );

/** Push and batch requests, each with its caller and the mutations to make to it. */
export function pushAndBatchArbitraries(pools: Pools) {
  const idArb = idArbitrary(pools);
  const { documentArb, looseStateArb } = documentArbitraries(idArb);

  const pushRequestArb = (caller: Caller) =>
    collectionFor(caller).chain((collection) => {
      const row = fc.record(
        {
          assumedMasterState: fc.oneof(fc.constant(null), documentArb(collection), looseStateArb),
          newDocumentState: documentArb(collection),
        },
        { requiredKeys: ['newDocumentState'] },
      );
      const longRow = (id: string) => ({ newDocumentState: { ...longDocument(caller), id } });
      return fc.oneof(
        { weight: 60, arbitrary: fc.record({ collection: fc.constant(collection), rows: fc.array(row, { minLength: 1, maxLength: 4 }) }) },
        { weight: 1, arbitrary: longArb(longRow).map((rows) => ({ collection: caller === 'store' ? 'catalog' : 'user', rows })) },
      );
    });

  const preconditionArb = (collection: string) =>
    fc.oneof(
      { weight: 10, arbitrary: fc.constant({ kind: 'absent' }) },
      { weight: 10, arbitrary: fc.record({ kind: fc.constant('equals'), state: fc.oneof(documentArb(collection), looseStateArb) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('maybe', 'none', 'assumed', 'equals') }) },
    );
  const writeOpArb = (caller: Caller) =>
    collectionFor(caller).chain((collection) =>
      fc
        .record({
          collection: fc.constant(collection),
          precondition: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: preconditionArb(collection) }),
          write: documentArb(collection),
        })
        .map(({ precondition, ...operation }) => (precondition === undefined ? operation : { ...operation, precondition })),
    );
  const incrementOpArb = fc.oneof(
    // The slot reservation the processor makes.
    {
      weight: 4,
      arbitrary: fc.record(
        {
          collection: fc.constant('availability'),
          increment: fc.record(
            {
              id: fc.constantFrom(...pools.slotIds, ...pools.ids),
              field: fc.constant('taken'),
              by: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000 })),
              atMost: fc.constant('capacity'),
              before: fc.constant('cutoff'),
            },
            { requiredKeys: ['id', 'field', 'by', 'atMost'] },
          ),
        },
        { requiredKeys: ['collection', 'increment'] },
      ),
    },
    // Random fields and bounds, of any id.
    {
      weight: 3,
      arbitrary: fc.record({
        collection: collectionArb,
        increment: fc.record(
          {
            id: fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: idArb }),
            field: fieldArb,
            by: fc.oneof(
              { weight: 10, arbitrary: fc.integer({ min: -1_000, max: 1_000 }) },
              { weight: 1, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
            ),
            atMost: fieldArb,
            before: fieldArb,
          },
          { requiredKeys: ['id', 'field', 'by'] },
        ),
      }),
    },
  );
  const batchRequestArb = (caller: Caller) =>
    fc
      .record({
        replica: replicaArb(caller),
        operations: fc.oneof(
          {
            weight: 60,
            arbitrary: fc.array(
              fc.oneof({ weight: caller === 'store' ? 2 : 8, arbitrary: writeOpArb(caller) }, { weight: 1, arbitrary: incrementOpArb }),
              {
                minLength: 1,
                maxLength: 3,
              },
            ),
          },
          {
            weight: 1,
            arbitrary: longArb((id) => ({ collection: caller === 'store' ? 'catalog' : 'user', write: { ...longDocument(caller), id } })),
          },
        ),
        deadline: fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: isoArb },
          { weight: 2, arbitrary: fc.constant('2999-01-01T00:00:00.000Z') },
          { weight: 1, arbitrary: fc.constant('tomorrow') },
        ),
      })
      .map(({ replica, operations, deadline }) => ({
        ...(replica === undefined ? {} : { replica }),
        operations,
        ...(deadline === undefined ? {} : { deadline }),
      }));

  return {
    push: callerArb.chain((caller) => fc.record({ caller: fc.constant(caller), request: pushRequestArb(caller), mutations: mutationsArb })),
    batch: callerArb.chain((caller) =>
      fc.record({ caller: fc.constant(caller), request: batchRequestArb(caller), mutations: mutationsArb }),
    ),
  };
}
