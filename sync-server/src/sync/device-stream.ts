import { decodePosition, encodePosition, MAX_ROWS, type StreamEvent, type StreamPosition } from '@pourover/protocol';
import { STORE, type Principal } from '@pourover/schemas';
import type { ServerApp } from '../app/server-app.ts';
import { tracked } from '@trpc/server';
import { homeReplica, isGranted, ownReplica, type Syncgroups } from './permissions.ts';
import type { Store, StoredDocument } from '../store/store.ts';
import type { StreamGuard } from './stream-guard.ts';
import { wakeLatch } from './wake-latch.ts';

/**
 * A device's live stream: the changes of every collection it may read, from
 * its shopper's replica and the store's, in change order. Each commit wakes
 * it; it then reads from the store, so a wake-up is never a gap.
 */
export async function* deviceStream(options: {
  app: ServerApp;
  store: Store;
  principal: Principal;
  syncgroups: Syncgroups;
  guard: StreamGuard;
  lastEventId: string | null | undefined;
  signal: AbortSignal | undefined;
}) {
  const { store, principal, signal, guard } = options;
  const own = ownReplica(principal);
  const readable = new Set(
    Object.keys(options.app.collections).filter((name) =>
      isGranted(options.syncgroups, principal, homeReplica(options.app, name, own), name, ['read']),
    ),
  );
  const latch = wakeLatch(signal);
  guard.onRevoked(latch.wake);
  const stop = store.onCommit((replica) => {
    if (replica === own || replica === STORE) latch.wake();
  });
  try {
    const resumed = options.lastEventId ? decodePosition(options.lastEventId) : undefined;
    let position: StreamPosition = resumed ?? { own: await store.head(own), store: await store.head(STORE) };
    if (!resumed) yield tracked(encodePosition(position), { kind: 'ready' } satisfies StreamEvent);
    while (!signal?.aborted) {
      await latch.wait();
      await guard.check();
      for (const side of own === STORE ? (['own'] as const) : (['own', 'store'] as const)) {
        const replica = side === 'own' ? own : STORE;
        for (;;) {
          const rows = await store.changesSince(replica, position[side], MAX_ROWS);
          for (const run of runsByCollection(rows)) {
            const seq = run.at(-1)?.seq ?? position[side];
            position = { ...position, [side]: seq };
            const collection = run[0]?.collection ?? '';
            if (!readable.has(collection)) continue;
            const event: StreamEvent = {
              kind: 'changes',
              collection,
              documents: run.map((row) => row.document),
              seqs: run.map((row) => row.seq),
              checkpoint: { seq },
            };
            yield tracked(encodePosition(position), event);
          }
          if (rows.length < MAX_ROWS) break;
        }
      }
    }
  } finally {
    stop();
    guard.release();
  }
}

/** Splits change-ordered rows into runs of one collection, keeping their order. */
function runsByCollection(rows: StoredDocument[]): StoredDocument[][] {
  const runs: StoredDocument[][] = [];
  for (const row of rows) {
    const last = runs.at(-1);
    if (last && last[0]?.collection === row.collection) last.push(row);
    else runs.push([row]);
  }
  return runs;
}
