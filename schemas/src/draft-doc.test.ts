import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fromBase64 } from './base64.ts';
import {
  derivedFields,
  editDraft,
  editDraftWithFields,
  editsNotIn,
  emptyDraftUpdate,
  isDraftUpdate,
  mergeDrafts,
  readDraft,
  type DraftEdit,
} from './draft-doc.ts';

const P = '00000000-0000-4000-8000-00000000000a';
const Q = '00000000-0000-4000-8000-00000000000b';
const R = '00000000-0000-4000-8000-00000000000c';

describe('a draft’s Yjs document', () => {
  it('keeps items added on two devices offline', () => {
    const base = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: P, count: 1 }]);
    const a = editDraft(base, [{ kind: 'setCount', itemId: Q, count: 2 }]);
    const b = editDraft(base, [{ kind: 'setCount', itemId: R, count: 3 }]);
    expect(readDraft(mergeDrafts(a, b)).items).toEqual(
      new Map([
        [P, 1],
        [Q, 2],
        [R, 3],
      ]),
    );
  });

  it('keeps a count changed on one device and a note set on the other', () => {
    const base = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: P, count: 1 }]);
    const merged = mergeDrafts(
      editDraft(base, [{ kind: 'setCount', itemId: P, count: 4 }]),
      editDraft(base, [{ kind: 'setNote', note: 'leave at the door' }]),
    );
    expect(readDraft(merged)).toMatchObject({ items: new Map([[P, 4]]), note: 'leave at the door' });
  });

  it('resolves the same item’s count set on two devices to one value, whatever the merge order', () => {
    const base = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: P, count: 1 }]);
    const a = editDraft(base, [{ kind: 'setCount', itemId: P, count: 2 }]);
    const b = editDraft(base, [{ kind: 'setCount', itemId: P, count: 5 }]);
    const ab = readDraft(mergeDrafts(a, b)).items.get(P);
    expect([2, 5]).toContain(ab);
    expect(readDraft(mergeDrafts(b, a)).items.get(P)).toBe(ab);
  });

  it('merges in any order and any grouping to the same content (property)', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('setCount' as const), itemId: fc.constantFrom(P, Q, R), count: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('setNote' as const), note: fc.string({ maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(edit, { maxLength: 4 }), { minLength: 1, maxLength: 4 }), (perDevice) => {
        const updates = perDevice.map((edits) => editDraft(emptyDraftUpdate(), edits as DraftEdit[]));
        const forward = updates.reduce(mergeDrafts);
        const backward = [...updates].reverse().reduce(mergeDrafts);
        expect(readDraft(backward)).toEqual(readDraft(forward));
      }),
      { seed: 20261123, numRuns: 200 },
    );
  });

  it('finds the edits a placed order does not hold', () => {
    const base = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: P, count: 1 }]);
    const placed = editDraft(base, [{ kind: 'setCount', itemId: Q, count: 1 }]);
    const later = editDraft(base, [
      { kind: 'setCount', itemId: P, count: 3 },
      { kind: 'setCount', itemId: R, count: 2 },
    ]);
    expect(editsNotIn(later, placed)).toMatchObject({
      items: new Map([
        [P, 3],
        [R, 2],
      ]),
      touched: true,
    });
    expect(editsNotIn(placed, placed).touched).toBe(false);
    expect(editsNotIn(base, placed).touched).toBe(false);
  });

  it('derives lines, item count and total from the document and the prices', () => {
    const update = editDraft(emptyDraftUpdate(), [
      { kind: 'setCount', itemId: Q, count: 2 },
      { kind: 'setCount', itemId: P, count: 1 },
      { kind: 'setSlot', slotId: R },
    ]);
    const prices = new Map([
      [P, 2200],
      [Q, 900],
    ]);
    expect(derivedFields(update, (id) => prices.get(id))).toEqual({
      lines: [
        { itemId: P, count: 1 },
        { itemId: Q, count: 2 },
      ],
      itemCount: 3,
      totalCents: 4000,
      note: '',
      slotId: R,
    });
  });

  it('derives from an edit the same fields as from the update the edit makes (property)', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('setCount' as const), itemId: fc.constantFrom(P, Q, R), count: fc.integer({ min: 0, max: 120 }) }),
      fc.record({ kind: fc.constant('remove' as const), itemId: fc.constantFrom(P, Q, R) }),
      fc.record({ kind: fc.constant('setNote' as const), note: fc.string({ maxLength: 5 }) }),
      fc.record({ kind: fc.constant('setSlot' as const), slotId: fc.constantFrom(null, 'slot-1') }),
    );
    const priceOf = (itemId: string) => (itemId === P ? 250 : itemId === Q ? 475 : undefined);
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 4 }), fc.array(edit, { maxLength: 4 }), (before, edits) => {
        const { ydoc, ...fields } = editDraftWithFields(editDraft(emptyDraftUpdate(), before), edits, priceOf);
        expect(fields).toEqual(derivedFields(ydoc, priceOf));
      }),
      { seed: 20261123, numRuns: 200 },
    );
  });

  it('reads an empty update as the empty draft everywhere, and tells bytes that are no Yjs update apart (KB2)', () => {
    const placed = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: P, count: 1 }]);
    expect(editsNotIn('', placed)).toMatchObject({ items: new Map(), note: '', touched: false });
    expect(readDraft('')).toEqual(readDraft(emptyDraftUpdate()));
    expect([emptyDraftUpdate(), '', placed].map(isDraftUpdate)).toEqual([true, true, true]);
    expect(['AQID', 'abc', '!!!', 'AQEBAQ=='].map(isDraftUpdate)).toEqual([false, false, false, false]);
  });

  it('answers the same when asked again about an update, though it remembers the drafts it has seen', () => {
    const drafts = Array.from({ length: 1_100 }, (_, n) => editDraft(emptyDraftUpdate(), [{ kind: 'setNote', note: `note ${n}` }]));
    const bad = ['AQID', 'AQEBAQ=='];
    for (let pass = 0; pass < 2; pass += 1) {
      expect(drafts.every(isDraftUpdate)).toBe(true);
      expect(bad.map(isDraftUpdate)).toEqual([false, false]);
    }
  });

  it('keeps a draft small through a thousand edits: a count changed again and again, then a note typed key by key', () => {
    let update = emptyDraftUpdate();
    for (let n = 1; n <= 500; n += 1) update = editDraft(update, [{ kind: 'setCount', itemId: P, count: (n % 98) + 1 }]);
    const note = 'x'.repeat(500);
    for (let n = 1; n <= 500; n += 1) update = editDraft(update, [{ kind: 'setNote', note: note.slice(0, n) }]);
    expect(readDraft(update)).toMatchObject({ items: new Map([[P, (500 % 98) + 1]]), note });
    // With each edit a new Yjs client it was about 30,000 characters more than the note itself.
    expect(update.length - note.length).toBeLessThan(1_000);
  });

  it('goes on from one state as one Yjs client only once: a second edit of the same state is another client', () => {
    const base = editDraft(emptyDraftUpdate(), [{ kind: 'setCount', itemId: P, count: 1 }]);
    const [first, second] = [
      editDraft(base, [{ kind: 'setCount', itemId: P, count: 2 }]),
      editDraft(base, [{ kind: 'setCount', itemId: Q, count: 3 }]),
    ];
    const clientsOf = (update: string) => new Set(Y.decodeUpdate(fromBase64(update)).structs.map((struct) => struct.id.client));
    const [baseClients, firstClients, secondClients] = [base, first, second].map(clientsOf) as [Set<number>, Set<number>, Set<number>];
    const added = (clients: Set<number>) => [...clients].filter((client) => !baseClients.has(client));
    // The first goes on as the client that made the base; the second is a client of its own.
    expect(firstClients).toEqual(baseClients);
    expect(added(secondClients)).toHaveLength(1);
    expect(readDraft(mergeDrafts(first, second)).items).toEqual(
      new Map([
        [P, 2],
        [Q, 3],
      ]),
    );
  });

  it('reads a draft it remembers as it reads one it decodes, and a change to what it gave changes nothing after', () => {
    const update = editDraft(emptyDraftUpdate(), [
      { kind: 'setCount', itemId: P, count: 2 },
      { kind: 'setNote', note: 'ring twice' },
    ]);
    const decoded = readDraft(update);
    expect(isDraftUpdate(update)).toBe(true);
    const remembered = readDraft(update);
    expect(remembered).toEqual(decoded);
    remembered.items.set(Q, 5);
    expect(readDraft(update)).toEqual({ items: new Map([[P, 2]]), note: 'ring twice', slotId: null });
  });
});
