import { describe, expect, it } from 'vitest';
import { serverWins } from './conflict-rules.ts';
import { SeqBook } from './seq-book.ts';

const BEFORE_WRITE = 'downstream-check-if-equal-1';
const draft = (ydoc: string) => ({ id: 'o1', status: 'draft', ydoc, _deleted: false });

describe('SeqBook', () => {
  it('drops a state that arrives older than one already received or acknowledged', () => {
    const book = new SeqBook();
    expect(book.fresh('draftOrders', [draft('b')], [5])).toHaveLength(1);
    expect(book.fresh('draftOrders', [draft('a')], [4])).toEqual([]);
    book.acknowledged('draftOrders', ['o1'], [9]);
    expect(book.fresh('draftOrders', [draft('c')], [8])).toEqual([]);
    expect(book.fresh('draftOrders', [draft('d')], [9])).toHaveLength(1);
  });

  it('has RxDB keep the local document when a received state became stale before RxDB wrote it', () => {
    const book = new SeqBook();
    const handler = book.judged('draftOrders', serverWins);
    const echo = draft('empty');
    const local = draft('one item');
    expect(book.fresh('draftOrders', [echo], [2])).toEqual([echo]);
    expect(handler.isEqual({ ...echo }, local, BEFORE_WRITE)).toBe(false);

    book.acknowledged('draftOrders', ['o1'], [3]);
    expect(handler.isEqual({ ...echo }, local, BEFORE_WRITE)).toBe(true);
    expect(handler.isEqual({ ...echo }, local, 'downstream-check-if-equal-0')).toBe(false);
    expect(book.judged('placedOrders', serverWins).isEqual({ ...echo }, local, BEFORE_WRITE)).toBe(false);
  });

  it('judges a state it never received by the collection’s own rule', () => {
    const book = new SeqBook();
    book.acknowledged('draftOrders', ['o1'], [7]);
    const handler = book.judged('draftOrders', serverWins);
    expect(handler.isEqual(draft('x'), draft('y'), BEFORE_WRITE)).toBe(false);
    expect(handler.isEqual(draft('x'), draft('x'), BEFORE_WRITE)).toBe(true);
  });
});
