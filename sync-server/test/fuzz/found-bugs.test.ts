/**
 * Regression tests for KB2–KB5, the bugs the input fuzz
 * (`push-batch-pairing.test.ts`) found, against a real server.
 */
import { editDraft, emptyDraftUpdate, type CollectionName, type DraftEdit } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOPPER_ID } from '@pourover/orders/server';
import { orderDoc, placeableDraft, userDoc, uuid } from '../support/test-server.ts';
import { signBlessing } from '../../src/auth/blessing-token.ts';
import { snapshotOf, startProbeServer, type ProbeServer } from '../probe/probe-server.ts';
import { D } from './callers.ts';
import { REQUEST_TIMEOUT_MS } from './fuzz-target.ts';

/** The bugs the fuzz found, each pinned by a regression test named after it. */
describe('bugs the fuzz found', () => {
  let server: ProbeServer;
  let device: string;
  beforeAll(async () => {
    server = await startProbeServer();
    device = signBlessing(server.key, { name: `${D}:bug-phone`, ttlSeconds: 3600 });
  });
  afterAll(() => server.stop());

  const post = async (procedure: string, body: string) => {
    const response = await fetch(`${server.url}/trpc/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${device}` },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, text };
  };
  const draft = (n: number, fields: Record<string, unknown> = {}) => ({ ...orderDoc(n), ...fields });
  const push = (collection: CollectionName, document: unknown) =>
    post('sync.push', JSON.stringify({ collection, rows: [{ newDocumentState: document }] }));
  const stored = async (replica: string, collection: CollectionName, id: string) =>
    (await server.store.get(replica, collection, id))?.document;
  const snapshot = () => snapshotOf(server.db);

  // KB2 (orders/draft-writes.ts: normalizedDraft → derivedFields → Y.applyUpdate threw, a 500).
  it('KB2: refuses a draft whose ydoc is not a Yjs update as BAD_INPUT, writing nothing', async () => {
    const before = snapshot();
    const answer = await push('draftOrders', draft(1, { ydoc: 'AQID' }));
    expect(answer.status, answer.text).toBe(400);
    expect(answer.text).toContain('ydoc is not a Yjs update');
    // Drafts are written by push only: a batch of one is refused before its ydoc is read.
    const batch = await post(
      'sync.batch',
      JSON.stringify({ operations: [{ collection: 'draftOrders', write: draft(1, { ydoc: 'AQID' }) }] }),
    );
    expect(batch.status, batch.text).toBe(403);
    expect(snapshot()).toEqual(before);
  });

  // KB2b (draft-writes.ts splitDraft → editsNotIn(update = '') → Y.applyUpdate of no bytes threw).
  it('KB2: reads an empty ydoc pushed over a draft already placed as an empty draft: no new draft, the device told it moved', async () => {
    const placeable = await placeableDraft(server.store, 2);
    expect((await push('draftOrders', placeable)).status).toBe(200);
    expect((await push('draftOrders', { ...placeable, status: 'placing' })).status).toBe(200);
    expect((await stored(D, 'placedOrders', uuid(2)))?.['status']).toBe('placed');
    const before = snapshot();
    const answer = await push('draftOrders', draft(2, { ydoc: '' }));
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ result: { data: { conflicts: [{ id: uuid(2), _deleted: true, status: 'placed' }] } } });
    expect(snapshot()).toEqual(before);
  });

  // KB3 (store/canonical.ts sortKeys recursed once per level: a RangeError past a few thousand levels).
  it('KB3: refuses a batch precondition nested 5,000 levels deep as BAD_INPUT', async () => {
    const deep = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;
    const operation = `{"collection":"user","write":${JSON.stringify(userDoc(3))},"precondition":{"kind":"equals","state":{"id":"${uuid(3)}","_deleted":false,"x":${deep}}}}`;
    const answer = await post('sync.batch', `{"operations":[${operation}]}`);
    expect(answer.status, answer.text).toBe(400);
  });

  it('KB3: refuses a push whose assumed state is nested 20,000 levels deep, over a stored document, as BAD_INPUT', async () => {
    expect((await push('user', userDoc(4))).status).toBe(200);
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const row = `{"assumedMasterState":{"id":"${uuid(4)}","_deleted":false,"x":${deep}},"newDocumentState":${JSON.stringify(userDoc(4, { name: 'Changed' }))}}`;
    const answer = await post('sync.push', `{"collection":"user","rows":[${row}]}`);
    expect(answer.status, answer.text).toBe(400);
    expect(await stored(D, 'user', uuid(4))).toEqual(userDoc(4));
  });

  // KB4 (store/increment.ts applyIncrement; batch.ts passed any field): `field: 'name'` stored `name: null`,
  // `field: 'id'` stored `id: null`, an unknown field was added.
  it('KB4: refuses a guarded increment of anything but an integer field its collection declares, writing nothing', async () => {
    const profile = await stored(D, 'user', DEMO_SHOPPER_ID);
    const before = snapshot();
    for (const field of ['name', 'id', 'x']) {
      const answer = await post(
        'sync.batch',
        JSON.stringify({ operations: [{ collection: 'user', increment: { id: DEMO_SHOPPER_ID, field, by: 1 } }] }),
      );
      expect(answer.status, answer.text).toBe(400);
    }
    expect(snapshot()).toEqual(before);
    expect(await stored(D, 'user', DEMO_SHOPPER_ID)).toEqual(profile);
  });

  // KB5 (draft-writes.ts normalizedDraft: lines, note and slotId came from the Yjs document unchecked).
  it('KB5: refuses, as BAD_INPUT, a draft whose Yjs document names an item that is no id, a fractional count or a note too long', async () => {
    const before = snapshot();
    const edits: DraftEdit[][] = [
      [{ kind: 'setCount', itemId: 'not-an-id', count: 1 }],
      [{ kind: 'setCount', itemId: uuid(50), count: 1.5 }],
      [{ kind: 'setNote', note: 'n'.repeat(1_001) }],
      [{ kind: 'setSlot', slotId: 'not-a-slot' }],
    ];
    for (const [index, edit] of edits.entries()) {
      const ydoc = editDraft(emptyDraftUpdate(), edit);
      for (const status of ['draft', 'placing']) {
        const answer = await push('draftOrders', draft(60 + index, { ydoc, status }));
        expect(answer.status, answer.text).toBe(400);
      }
    }
    expect(snapshot()).toEqual(before);
  });

  it('KB5: refuses a draft of more than 100 lines as BAD_INPUT', async () => {
    const ydoc = editDraft(
      emptyDraftUpdate(),
      Array.from({ length: 101 }, (_, n) => ({ kind: 'setCount' as const, itemId: uuid(0x7000 + n), count: 1 })),
    );
    const answer = await push('draftOrders', draft(70, { ydoc }));
    expect(answer.status, answer.text).toBe(400);
    expect(await stored(D, 'draftOrders', uuid(70))).toBeUndefined();
  });
});
