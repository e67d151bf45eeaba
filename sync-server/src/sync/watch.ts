import { MAX_ROWS, type WatchEvent } from '@pourover/protocol';
import type { Principal } from '@pourover/schemas';
import { tracked } from '@trpc/server';
import { isGranted, type Syncgroups } from './permissions.ts';
import type { ServerMetrics } from '../metrics/server-metrics.ts';
import type { Store, StoredDocument } from '../store/store.ts';
import type { StreamGuard } from './stream-guard.ts';
import { wakeLatch } from './wake-latch.ts';

/**
 * The most documents one commit can write: a push or batch has at most
 * MAX_ROWS rows, and an app's push hook may write up to three documents for
 * one row (a move writes the moved document, the tombstone and a split).
 */
const LARGEST_COMMIT = 3 * MAX_ROWS + 1;

const watched = (rows: StoredDocument[]) => rows.map((row) => ({ replica: row.replica, document: row.document }));

/** Splits commit-ordered rows into the documents of each commit. */
function byCommit(rows: StoredDocument[]): StoredDocument[][] {
  const commits: StoredDocument[][] = [];
  for (const row of rows) {
    const last = commits.at(-1);
    if (last && last[0]?.commit === row.commit) last.push(row);
    else commits.push([row]);
  }
  return commits;
}

/**
 * Watches one collection across every replica whose syncgroup lets the
 * principal read it: the initial state, a marker, then each commit in order.
 * Resumed from a marker it sends the commits after it; none is skipped (the
 * store's commits are numbered in the order they became visible). A marker
 * of an older epoch (below the store's `epochStart`) counts a history a
 * restore undid, so the watch starts from the initial state instead; and a
 * watch open when the epoch is renewed (on PostgreSQL) ends, for the watcher
 * to start again from the initial state.
 */
export async function* watchCollection(options: {
  store: Store;
  principal: Principal;
  collection: string;
  syncgroups: Syncgroups;
  guard: StreamGuard;
  metrics: ServerMetrics;
  lastEventId: string | null | undefined;
  signal: AbortSignal | undefined;
}) {
  const { store, principal, collection, signal, guard } = options;
  // Asked afresh for each page of rows, and once per replica within it: a page holds many documents of few replicas.
  const readableNow = () => {
    const known = new Map<string, boolean>();
    return (row: StoredDocument) => {
      let readable = known.get(row.replica);
      if (readable === undefined)
        known.set(row.replica, (readable = isGranted(options.syncgroups, principal, row.replica, collection, ['read'])));
      return readable;
    };
  };
  const latch = wakeLatch(signal);
  guard.onEnd(latch.wake);
  const stop = store.onCommit(() => latch.wake());
  const closeCount = options.metrics.streamOpened('watch');
  // A watch resumed from a marker first catches up on what it missed while away: no measure of how fast a commit reaches it.
  let live = true;
  try {
    let marker: number;
    const { epoch } = store;
    if (options.lastEventId && !options.lastEventId.startsWith('s') && Number(options.lastEventId) >= store.epochStart) {
      marker = Number(options.lastEventId);
      live = false;
    } else {
      const snapshot = await store.watchSnapshot(collection);
      const documents = snapshot.documents.filter(readableNow());
      // Pages of the initial state carry `s<n>`: a watch dropped among them starts over from a new initial state.
      for (let start = 0; start < documents.length; start += MAX_ROWS) {
        const page: WatchEvent = { kind: 'initial', documents: watched(documents.slice(start, start + MAX_ROWS)) };
        yield tracked(`s${snapshot.commit}`, page);
      }
      marker = snapshot.commit;
      yield tracked(String(marker), { kind: 'initialized', resumeMarker: String(marker) } satisfies WatchEvent);
    }
    while (!signal?.aborted) {
      await latch.wait();
      await guard.check();
      if (store.epoch !== epoch) return;
      for (;;) {
        let rows = await store.watchChanges(collection, marker, MAX_ROWS);
        // A full page holding a single commit may be only part of it: read it again with room for the largest commit.
        if (rows.length === MAX_ROWS && byCommit(rows).length === 1) rows = await store.watchChanges(collection, marker, LARGEST_COMMIT);
        const commits = byCommit(rows);
        // A page may end inside a commit; keep that commit for the next page so it arrives whole.
        const complete = rows.length >= MAX_ROWS && commits.length > 1 ? commits.slice(0, -1) : commits;
        const readable = readableNow();
        for (const commit of complete) {
          marker = commit[0]?.commit ?? marker;
          const documents = commit.filter(readable);
          if (documents.length === 0) continue;
          if (live) options.metrics.delivered('watch', commit[0]?.updatedAt);
          yield tracked(String(marker), {
            kind: 'change',
            documents: watched(documents),
            resumeMarker: String(marker),
          } satisfies WatchEvent);
        }
        if (rows.length < MAX_ROWS || complete.length === 0) break;
      }
      live = true;
    }
  } finally {
    closeCount();
    stop();
    guard.release();
  }
}
