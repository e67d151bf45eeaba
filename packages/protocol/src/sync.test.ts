import { shopperReplica, STORE } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { batchRequest, getRequest, MAX_DEPTH, pushRequest, wireDocument } from './index.ts';

/** A JSON text of a document whose field `x` nests `levels` arrays deep (the document itself is one more level). */
const nested = (levels: number) => `{"id":"a","_deleted":false,"x":${'['.repeat(levels)}1${']'.repeat(levels)}}`;

describe('wire documents', () => {
  it(`nest at most ${MAX_DEPTH} levels, so no deeper state ever reaches the server’s comparisons (KB3)`, () => {
    expect(wireDocument.safeParse(JSON.parse(nested(MAX_DEPTH - 1))).success).toBe(true);
    expect(wireDocument.safeParse(JSON.parse(nested(MAX_DEPTH))).success).toBe(false);
    const deepest = JSON.parse(nested(20_000)) as unknown;
    expect(
      pushRequest.safeParse({
        collection: 'notes',
        rows: [{ assumedMasterState: deepest, newDocumentState: { id: 'a', _deleted: false } }],
      }).success,
    ).toBe(false);
    const precondition = { kind: 'equals', state: deepest };
    expect(
      batchRequest.safeParse({ operations: [{ collection: 'notes', precondition, write: { id: 'a', _deleted: false } }] }).success,
    ).toBe(false);
  });
});

describe('a request that names a replica', () => {
  it('names the store’s or a shopper’s, nothing else (KB1, KB6)', () => {
    const get = (replica: string) => getRequest.safeParse({ collection: 'notes', ids: ['a'], replica }).success;
    const batch = (replica: string) =>
      batchRequest.safeParse({ replica, operations: [{ collection: 'notes', write: { id: 'a', _deleted: false } }] }).success;
    for (const named of [get, batch]) {
      expect(named(STORE)).toBe(true);
      expect(named(shopperReplica('alice'))).toBe(true);
      for (const bad of [
        '',
        `${STORE}:users`,
        `${shopperReplica('alice')}:phone`,
        'not-a-replica',
        `${STORE}:shops:alice`,
        `${STORE}:users:a b`,
      ]) {
        expect(named(bad), bad).toBe(false);
      }
    }
  });
});
