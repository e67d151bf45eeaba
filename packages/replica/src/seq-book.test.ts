import { describe, expect, it } from 'vitest';
import { SeqBook } from './seq-book.ts';

const note = (text: string) => ({ id: 'n1', text, _deleted: false });

describe('SeqBook', () => {
  it('drops a state that arrives older than one already received or acknowledged', () => {
    const book = new SeqBook();
    expect(book.fresh('notes', [note('b')], [5])).toEqual({ documents: [note('b')], seqs: [5] });
    expect(book.fresh('notes', [note('a')], [4])).toEqual({ documents: [], seqs: [] });
    book.acknowledged('notes', ['n1'], [9]);
    expect(book.isFresh('notes', 'n1', 8)).toBe(false);
    expect(book.fresh('notes', [note('c')], [8])).toEqual({ documents: [], seqs: [] });
    expect(book.fresh('notes', [note('d')], [9])).toEqual({ documents: [note('d')], seqs: [9] });
    expect(book.isFresh('notes', 'n1', 9)).toBe(true);
  });
});
