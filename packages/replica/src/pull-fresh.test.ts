import type { Checkpoint, PullResponse } from '@pourover/protocol';
import { describe, expect, it } from 'vitest';
import { pullFresh } from './pull-fresh.ts';
import { SeqBook } from './seq-book.ts';

const LIMIT = 3;
const doc = (id: string) => ({ id, note: id, _deleted: false });

/** A server's change log of `count` documents `d1`… at seqs 1…, paged as the pull endpoint pages it. */
function changeLog(count: number) {
  const asked: (number | null)[] = [];
  const pull = async (checkpoint: Checkpoint | null): Promise<PullResponse> => {
    asked.push(checkpoint?.seq ?? null);
    const from = checkpoint?.seq ?? 0;
    const seqs = Array.from({ length: Math.max(0, Math.min(LIMIT, count - from)) }, (_, i) => from + i + 1);
    return { documents: seqs.map((seq) => doc(`d${seq}`)), seqs, checkpoint: seqs.length ? { seq: seqs.at(-1)! } : checkpoint };
  };
  return { pull, asked };
}

describe('a pull', () => {
  it('is completed from the next page when stale states shortened a full page, so RxDB does not stop early', async () => {
    const seqs = new SeqBook();
    // The device pushed d2 and the server put it at 9: the state at 2 is stale.
    seqs.acknowledged('notes', ['d2'], [9]);
    const { pull, asked } = changeLog(8);
    const result = await pullFresh({ collection: 'notes', checkpoint: null, limit: LIMIT, seqs, pull });
    expect(result.documents.map((d) => d.id)).toEqual(['d1', 'd3', 'd4', 'd5', 'd6']);
    expect(result.checkpoint).toEqual({ seq: 6 });
    expect(asked).toEqual([null, 3]);
  });

  it('ends with the server’s last page, however short', async () => {
    const seqs = new SeqBook();
    seqs.acknowledged('notes', ['d5'], [9]);
    const { pull, asked } = changeLog(5);
    const result = await pullFresh({ collection: 'notes', checkpoint: { seq: 3 }, limit: LIMIT, seqs, pull });
    expect(result.documents.map((d) => d.id)).toEqual(['d4']);
    expect(result.checkpoint).toEqual({ seq: 5 });
    expect(asked).toEqual([3]);
  });
});
