import { decodePosition, encodePosition, MAX_ROWS, type StreamEvent, type StreamPosition } from '@pourover/protocol';
import { STORE, type Principal } from '@pourover/schemas';
import type { ServerApp } from '../app/server-app.ts';
import { tracked } from '@trpc/server';
import { allows, homeReplica, ownReplica, type Syncgroups } from './permissions.ts';
import type { ServerMetrics } from '../metrics/server-metrics.ts';
import type { Store, StoredDocument } from '../store/store.ts';
import { knownFields } from './known-fields.ts';
import { guardStream, type StreamGuard } from './stream-guard.ts';
import type { Context } from '../trpc/trpc.ts';
import { wakeLatch } from './wake-latch.ts';

/**
 * A device's live stream: the changes of every collection it may read, from
 * its shopper's replica and the store's, in change order. Each commit wakes
 * it; it then reads from the store, so a wake-up is never a gap, unless the
 * store handed it every row committed since its last read (`heard`).
 */
export async function* deviceStream(options: {
  app: ServerApp;
  store: Store;
  principal: Principal;
  syncgroups: Syncgroups;
  guard: StreamGuard;
  metrics: ServerMetrics;
  lastEventId: string | null | undefined;
  signal: AbortSignal | undefined;
}) {
  const { store, principal, signal, guard } = options;
  const own = ownReplica(principal);
  const readable = new Set(
    Object.keys(options.app.collections).filter((name) => allows(options, principal, homeReplica(options.app, name, own), name, ['read'])),
  );
  const latch = wakeLatch(signal);
  guard.onEnd(latch.wake);
  // Which side's replica committed since it was last read: a shopper's push wakes the stream to read its own side only.
  const unread = { own: true, store: true };
  // Every row the side's commits wrote since its last read, in change order, when the store told them all; else null.
  const heard: Record<Side, StoredDocument[] | null> = { own: null, store: null };
  const hear = (side: Side, written: readonly StoredDocument[] | undefined) => {
    unread[side] = true;
    const rows = heard[side];
    if (written && rows && rows.length + written.length <= MAX_ROWS) rows.push(...written);
    else heard[side] = null;
  };
  const stop = store.onCommit((replica, written) => {
    if (replica === own) hear('own', written);
    if (replica === STORE && own !== STORE) hear('store', written);
    if (replica === own || replica === STORE) latch.wake();
  });
  const closeCount = options.metrics.streamOpened('device');
  try {
    let { epoch } = store;
    const decoded = options.lastEventId ? decodePosition(options.lastEventId) : undefined;
    // A position of another epoch counts a history the store no longer holds: the device starts afresh, told so by `ready`.
    const resumed = decoded && (decoded.epoch === undefined || decoded.epoch === epoch) ? { ...decoded, epoch } : undefined;
    // A resumed stream's first read catches up on what it missed while away: no measure of how fast a commit reaches it.
    let live = !resumed;
    let position: StreamPosition = resumed ?? { own: await store.head(own), store: await store.head(STORE), epoch };
    if (!resumed) yield tracked(encodePosition(position), { kind: 'ready', epoch } satisfies StreamEvent);
    while (!signal?.aborted) {
      await latch.wait();
      await guard.check();
      if (store.epoch !== epoch) {
        // Renewed while the stream was open (a restore on PostgreSQL): the device starts afresh, as on a new stream.
        epoch = store.epoch;
        heard.own = heard.store = null;
        position = { own: await store.head(own), store: await store.head(STORE), epoch };
        yield tracked(encodePosition(position), { kind: 'ready', epoch } satisfies StreamEvent);
        continue;
      }
      for (const side of own === STORE ? (['own'] as const) : (['own', 'store'] as const)) {
        if (!unread[side]) continue;
        unread[side] = false;
        let told = following(heard[side], position[side]);
        heard[side] = [];
        const replica = side === 'own' ? own : STORE;
        for (;;) {
          const rows = told ?? (await store.changesSince(replica, position[side], MAX_ROWS));
          told = undefined;
          for (const run of runsByCollection(rows)) {
            const seq = run.at(-1)?.seq ?? position[side];
            position = { ...position, [side]: seq };
            const collection = run[0]?.collection ?? '';
            if (!readable.has(collection)) continue;
            const { known } = knownFields(options.app, collection);
            const event: StreamEvent = {
              kind: 'changes',
              collection,
              documents: run.map((row) => known(row.document)),
              seqs: run.map((row) => row.seq),
              checkpoint: { seq, epoch },
            };
            if (live) options.metrics.delivered('device', run.at(-1)?.updatedAt);
            yield tracked(encodePosition(position), event);
          }
          if (rows.length < MAX_ROWS) break;
        }
      }
      live = true;
    }
  } finally {
    closeCount();
    stop();
    guard.release();
  }
}

/** The live stream of a request's device, from the event after `lastEventId` (the tRPC procedure's and the plain SSE route's). */
export function streamOfContext(
  ctx: Context & { principal: NonNullable<Context['principal']> },
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
) {
  return deviceStream({
    app: ctx.app,
    store: ctx.store,
    principal: ctx.principal,
    syncgroups: ctx.syncgroups,
    guard: guardStream(ctx),
    metrics: ctx.metrics,
    lastEventId,
    signal,
  });
}

type Side = 'own' | 'store';

/**
 * The rows heard after `position`, if they follow on from it with no gap, each document at its last version only:
 * what a read from the store would give. Undefined when the store must be read.
 */
function following(heard: readonly StoredDocument[] | null, position: number): StoredDocument[] | undefined {
  if (!heard) return undefined;
  const fresh = heard.filter((row) => row.seq > position);
  if (!fresh.every((row, index) => row.seq === position + index + 1)) return undefined;
  const last = new Map(fresh.map((row) => [`${row.collection}/${row.document.id}`, row.seq]));
  return fresh.length === last.size ? fresh : fresh.filter((row) => last.get(`${row.collection}/${row.document.id}`) === row.seq);
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
