import type { Checkpoint, PullResponse, WireDocument } from '@pourover/protocol';
import type { SeqBook } from './seq-book.ts';

/**
 * One pull as RxDB's replication takes it: at least `limit` fresh documents,
 * unless the server has no more. RxDB ends a pull at the first page shorter
 * than its batch size and stores that page's checkpoint; a page shortened
 * because states in it were stale (`SeqBook.fresh`) made it stop while the
 * server had more, and the next live change's checkpoint then moved past
 * the changes never pulled. So a shortened page is completed from the pages
 * after it.
 */
export async function pullFresh(options: {
  collection: string;
  checkpoint: Checkpoint | null;
  limit: number;
  seqs: SeqBook;
  pull: (checkpoint: Checkpoint | null) => Promise<PullResponse>;
}): Promise<{ documents: WireDocument[]; checkpoint: Checkpoint | null }> {
  const documents: WireDocument[] = [];
  let checkpoint = options.checkpoint;
  for (;;) {
    const page = await options.pull(checkpoint);
    documents.push(...options.seqs.fresh(options.collection, page.documents, page.seqs));
    checkpoint = page.checkpoint ?? checkpoint;
    if (page.documents.length < options.limit || documents.length >= options.limit) return { documents, checkpoint };
  }
}
