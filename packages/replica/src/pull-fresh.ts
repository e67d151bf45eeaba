import type { CollectionName } from '@pourover/protocol';
import { MAX_ROWS, type Checkpoint, type PullResponse, type WireDocument } from '@pourover/protocol';
import type { BeforeApply } from './before-apply.ts';
import type { ReplicationTransport } from './replication-transport.ts';
import type { SeqBook } from './seq-book.ts';

/** The most documents a pull page asks for. */
export const PULL_BATCH = MAX_ROWS;

/**
 * A page of fresh states, each at its position in the change log (`seqs[i]` for `documents[i]`). `reset`: the
 * server's history began again (a restore gave it a new epoch) and this page starts it from the beginning.
 */
export type PulledPage = { documents: WireDocument[]; seqs: number[]; checkpoint: Checkpoint | null; reset?: true };

export type ServerPull = (checkpoint: Checkpoint | null) => Promise<PulledPage>;

/**
 * A collection's pull from the server, as either replication takes it: full
 * pages of fresh states (`pullFresh`), handed to `beforeApply` before they
 * are written.
 */
export function serverPull(parts: {
  name: CollectionName;
  transport: ReplicationTransport;
  seqs: SeqBook;
  beforeApply: BeforeApply;
}): ServerPull {
  const { name, transport } = parts;
  return async (checkpoint) => {
    const page = await pullFresh({
      collection: name,
      checkpoint,
      limit: PULL_BATCH,
      seqs: parts.seqs,
      pull: (from) => transport.pull(name, from, PULL_BATCH),
    });
    await parts.beforeApply(name, page.documents);
    return page;
  };
}

/**
 * One pull: at least `limit` fresh documents,
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
}): Promise<PulledPage> {
  const documents: WireDocument[] = [];
  const seqs: number[] = [];
  let checkpoint = options.checkpoint;
  let reset = false;
  for (;;) {
    const page = await options.pull(checkpoint);
    // The positions the device knows count a history the server no longer holds: judged by them, new states would pass for stale.
    if (page.reset) {
      options.seqs.forget(options.collection);
      documents.length = 0;
      seqs.length = 0;
      reset = true;
    }
    const fresh = options.seqs.fresh(options.collection, page.documents, page.seqs);
    documents.push(...fresh.documents);
    seqs.push(...fresh.seqs);
    checkpoint = page.checkpoint ?? checkpoint;
    if (page.documents.length < options.limit || documents.length >= options.limit)
      return { documents, seqs, checkpoint, ...(reset ? { reset: true as const } : {}) };
  }
}
