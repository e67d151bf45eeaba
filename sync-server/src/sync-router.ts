import {
  batchRequest,
  decodePosition,
  encodePosition,
  getRequest,
  MAX_ROWS,
  PouroverError,
  pullRequest,
  pushRequest,
  streamInput,
  type BatchResult,
  type StreamEvent,
  type StreamPosition,
} from '@pourover/protocol';
import { collectionNames, collections, homeReplica, STORE, type CollectionName, type Principal } from '@pourover/schemas';
import { tracked } from '@trpc/server';
import { validDocument } from './documents.ts';
import { currentPrices, normalizedDraft } from './orders/draft-writes.ts';
import { applyPush } from './push.ts';
import { authorize, isGranted, ownReplica } from './permissions.ts';
import type { StoredDocument } from './store/store.ts';
import { authedProcedure, router } from './trpc.ts';
import { wakeLatch } from './wake-latch.ts';

const wire = (stored: StoredDocument) => stored.document;

export const syncRouter = router({
  pull: authedProcedure.input(pullRequest).query(async ({ ctx, input }) => {
    const replica = authorize(ctx.principal, input.collection, ['read']);
    const rows = await ctx.store.pull(replica, input.collection, input.checkpoint?.seq ?? 0, input.limit);
    const last = rows.at(-1);
    return { documents: rows.map(wire), checkpoint: last ? { seq: last.seq } : input.checkpoint };
  }),

  get: authedProcedure.input(getRequest).query(async ({ ctx, input }) => {
    const replica = authorize(ctx.principal, input.collection, ['read']);
    const found = await Promise.all(input.ids.map((id) => ctx.store.get(replica, input.collection, id)));
    return { documents: found.flatMap((stored) => (stored ? [stored.document] : [])) };
  }),

  push: authedProcedure.input(pushRequest).mutation(async ({ ctx, input }) => {
    const replica = authorize(ctx.principal, input.collection, ['write']);
    return applyPush(ctx.store, replica, input, ctx.now);
  }),

  batch: authedProcedure.input(batchRequest).mutation(async ({ ctx, input }): Promise<BatchResult> => {
    const replicas = new Set(
      input.operations.map((op) => authorize(ctx.principal, op.collection, ['write', 'batch'], input.replica)),
    );
    const [replica, ...others] = replicas;
    if (replica === undefined || others.length > 0) {
      throw new PouroverError('BAD_INPUT', 'a batch writes the collections of one replica only');
    }
    const prices = await currentPrices(ctx.store);
    const writes = input.operations.map((op, index) => {
      const document = validDocument(op.collection, op.write, `operations[${index}]`);
      return {
        collection: op.collection,
        // A draft's queryable fields always follow its Yjs document, whoever writes it.
        document: collections[op.collection].conflict === 'yjs-merge' ? normalizedDraft(document as never, prices) : document,
        expect: op.precondition ?? { kind: 'none' as const },
      };
    });
    const result = await ctx.store.commit(replica, writes, 'all');
    if (result.ok) return { ok: true, seq: result.seq };
    const failed = input.operations[result.failedIndex];
    return {
      ok: false,
      failed: {
        index: result.failedIndex,
        collection: failed?.collection ?? '',
        id: failed?.write.id ?? '',
        current: result.current?.document ?? null,
      },
    };
  }),

  stream: authedProcedure.input(streamInput).subscription(async function* ({ ctx, input, signal }) {
    const own = ownReplica(ctx.principal);
    const readable = readableCollections(ctx.principal, own);
    const latch = wakeLatch(signal);
    const stop = ctx.store.onCommit((replica) => {
      if (replica === own || replica === STORE) latch.wake();
    });
    try {
      const resumed = input.lastEventId ? decodePosition(input.lastEventId) : undefined;
      let position: StreamPosition = resumed ?? { own: await ctx.store.head(own), store: await ctx.store.head(STORE) };
      if (!resumed) yield tracked(encodePosition(position), { kind: 'ready' } satisfies StreamEvent);
      while (!signal?.aborted) {
        await latch.wait();
        for (const side of own === STORE ? (['own'] as const) : (['own', 'store'] as const)) {
          const replica = side === 'own' ? own : STORE;
          for (;;) {
            const rows = await ctx.store.changesSince(replica, position[side], MAX_ROWS);
            for (const group of runsByCollection(rows)) {
              const seq = group.at(-1)?.seq ?? position[side];
              position = { ...position, [side]: seq };
              if (!readable.has(group[0]?.collection as CollectionName)) continue;
              const event: StreamEvent = {
                kind: 'changes',
                collection: group[0]?.collection as CollectionName,
                documents: group.map(wire),
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
    }
  }),
});

function readableCollections(principal: Principal, own: string): Set<CollectionName> {
  return new Set(collectionNames.filter((name) => isGranted(principal, homeReplica(name, own), name, 'read')));
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
