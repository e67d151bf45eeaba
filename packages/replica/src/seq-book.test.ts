import { describe, expect, it } from 'vitest';
import { SeqBook } from './seq-book.ts';

const draft = (ydoc: string) => ({ id: 'o1', status: 'draft', ydoc, _deleted: false });

describe('SeqBook', () => {
  it('drops a state that arrives older than one already received or acknowledged', () => {
    const book = new SeqBook();
    expect(book.fresh('draftOrders', [draft('b')], [5])).toEqual({ documents: [draft('b')], seqs: [5] });
    expect(book.fresh('draftOrders', [draft('a')], [4])).toEqual({ documents: [], seqs: [] });
    book.acknowledged('draftOrders', ['o1'], [9]);
    expect(book.isFresh('draftOrders', 'o1', 8)).toBe(false);
    expect(book.fresh('draftOrders', [draft('c')], [8])).toEqual({ documents: [], seqs: [] });
    expect(book.fresh('draftOrders', [draft('d')], [9])).toEqual({ documents: [draft('d')], seqs: [9] });
    expect(book.isFresh('draftOrders', 'o1', 9)).toBe(true);
  });
});
