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
    book.acknowledged('draftOrders', [draft('pushed')], [9]);
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

    book.acknowledged('draftOrders', [local], [3]);
    expect(handler.isEqual({ ...echo }, local, BEFORE_WRITE)).toBe(true);
    expect(handler.isEqual({ ...echo }, local, 'downstream-check-if-equal-0')).toBe(false);
    expect(book.judged('placedOrders', serverWins).isEqual({ ...echo }, local, BEFORE_WRITE)).toBe(false);
  });

  it('does not hand RxDB back the states the device pushed, at the position the server gave them', () => {
    const book = new SeqBook();
    const other = { ...draft('theirs'), id: 'o2' };
    book.acknowledged('draftOrders', [draft('mine')], [5]);
    expect(book.heard('draftOrders', [draft('mine'), other], [5, 6])).toEqual([other]);
  });

  it('hands RxDB the last echo of a change made only of echoes, so that RxDB stores its checkpoint', () => {
    const book = new SeqBook();
    const second = { ...draft('mine too'), id: 'o2' };
    book.acknowledged('draftOrders', [draft('mine'), second], [5, 6]);
    expect(book.heard('draftOrders', [draft('mine'), second], [5, 6])).toEqual([second]);
  });

  it('applies a state that differs from the pushed one, or stands at another position', () => {
    const book = new SeqBook();
    book.acknowledged('draftOrders', [draft('mine')], [5]);
    expect(book.heard('draftOrders', [draft('merged')], [5])).toEqual([draft('merged')]);
    book.acknowledged('draftOrders', [draft('mine')], [7]);
    expect(book.heard('draftOrders', [draft('mine')], [8])).toEqual([draft('mine')]);
  });

  it('judges a state it never received by the collection’s own rule', () => {
    const book = new SeqBook();
    book.acknowledged('draftOrders', [draft('pushed')], [7]);
    const handler = book.judged('draftOrders', serverWins);
    expect(handler.isEqual(draft('x'), draft('y'), BEFORE_WRITE)).toBe(false);
    expect(handler.isEqual(draft('x'), draft('x'), BEFORE_WRITE)).toBe(true);
  });
});
