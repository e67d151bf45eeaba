/** Builders shared by the parts of the store conformance suite. */
import type { WireDocument } from '@pourover/protocol';
import { deliverySlot, STORE, type CollectionName } from '@pourover/schemas';
import { uuid } from '../test/support/test-server.ts';
import type { Expectation, Increment, Store, Write } from '../src/store/store.ts';

export const A = 'bluebottle:users:00000000-0000-4000-8000-00000000000a';
export const B = 'bluebottle:users:00000000-0000-4000-8000-00000000000b';
export const S = STORE;

/** A store over empty data, a way to open another over the same data, and a close the suite keeps track of. */
export type OpenedStore = { store: Store; reopen(): Promise<Store>; close(store: Store): Promise<void> };
export type FreshStore = () => Promise<OpenedStore>;

export const none: Expectation = { kind: 'none' };
export const assumed = (state: WireDocument | null): Expectation => ({ kind: 'assumed', state });

export const write = (document: WireDocument, expect: Expectation = none, collection: CollectionName = 'user'): Write => ({
  collection,
  document,
  expect,
});

/** The same write, aimed at another replica than the commit's. */
export const to = (replica: string, target: Write): Write => ({ ...target, replica });

export const ids = (rows: { document: WireDocument }[]) => rows.map((row) => row.document.id);

/** An instant `ms` from now, as the protocol writes times. */
export const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A delivery slot (valid as the schema has it): `taken` of `capacity` places, taken only before `cutoff`. */
export function slot(n: number, fields: { capacity?: number; taken?: number; cutoff?: string } = {}, deleted = false): WireDocument {
  return {
    id: uuid(n),
    start: fromNow(7_200_000),
    end: fromNow(10_800_000),
    capacity: fields.capacity ?? 2,
    taken: fields.taken ?? 0,
    cutoff: fields.cutoff ?? fromNow(3_600_000),
    _deleted: deleted,
  };
}

/** Takes a place in slot `n` (the write an order's processing makes). */
export const takePlace = (n: number, replica: string = S): Write => ({
  replica,
  collection: 'availability',
  increment: { id: uuid(n), field: 'taken', by: 1, atMost: 'capacity', before: 'cutoff' } satisfies Increment,
  schema: deliverySlot,
});
