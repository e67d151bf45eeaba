import {
  batchRequest,
  PouroverError,
  getRequest,
  leaseQuery,
  leaseRequest,
  pullRequest,
  pushRequest,
  setSyncgroupRequest,
  syncgroupRequest,
  streamInput,
  watchInput,
} from '@pourover/protocol';
import { applyBatch } from './batch.ts';
import { streamOfContext } from './device-stream.ts';
import { authorize, memberMatches } from './permissions.ts';
import { pushCall } from './push.ts';
import { knownFields } from './known-fields.ts';
import { guardStream } from './stream-guard.ts';
import { authedProcedure, router } from '../trpc/trpc.ts';
import { watchCollection } from './watch.ts';

export const syncRouter = router({
  pull: authedProcedure.input(pullRequest).query(async ({ ctx, input }) => {
    const replica = authorize(ctx, ctx.principal, input.collection, ['read']);
    const { epoch } = ctx.store;
    // A checkpoint of another epoch counts positions of a history the store no longer holds: start again.
    const reset = input.checkpoint?.epoch !== undefined && input.checkpoint.epoch !== epoch;
    const after = reset ? 0 : (input.checkpoint?.seq ?? 0);
    const rows = await ctx.store.pull(replica, input.collection, after, input.limit);
    const { known } = knownFields(ctx.app, input.collection);
    return {
      documents: rows.map((row) => known(row.document)),
      seqs: rows.map((row) => row.seq),
      checkpoint: { seq: rows.at(-1)?.seq ?? after, epoch },
      ...(reset ? { reset: true as const } : {}),
    };
  }),

  get: authedProcedure.input(getRequest).query(async ({ ctx, input }) => {
    const replica = authorize(ctx, ctx.principal, input.collection, ['read'], input.replica);
    const found = await ctx.store.getMany(replica, input.collection, input.ids);
    const { known } = knownFields(ctx.app, input.collection);
    return { documents: found.flatMap((stored) => (stored ? [known(stored.document)] : [])) };
  }),

  /** Devices' pushes mostly come by the plain route of http/push-route.ts, which runs the same call. */
  push: authedProcedure.input(pushRequest).mutation(({ ctx, input }) => pushCall(ctx, ctx.principal, input)),

  batch: authedProcedure.input(batchRequest).mutation(async ({ ctx, input }) => {
    const result = await applyBatch(ctx, input);
    if (!result.ok) ctx.metrics.conflicts({ procedure: 'sync.batch', reason: result.reason }, 1);
    return result;
  }),

  /** A GET of it is served on plain server-sent events by http/device-stream-sse.ts; declared here for the clients’ router type. */
  stream: authedProcedure.input(streamInput).subscription(({ ctx, input, signal }) => streamOfContext(ctx, input.lastEventId, signal)),

  /** Every replica's changes of one collection: the store's (its store-side workers, its dashboards), never a device's. */
  watch: authedProcedure.input(watchInput).subscription(({ ctx, input, signal }) => {
    if (ctx.principal.kind !== 'store') throw new PouroverError('FORBIDDEN', 'only the store watches collections across replicas');
    return watchCollection({
      store: ctx.store,
      principal: ctx.principal,
      collection: input.collection,
      syncgroups: ctx.syncgroups,
      guard: guardStream(ctx),
      metrics: ctx.metrics,
      lastEventId: input.lastEventId,
      signal,
    });
  }),

  /** A syncgroup's members and version, for one of its admins. */
  syncgroup: authedProcedure.input(syncgroupRequest).query(({ ctx, input }) => {
    const replica = authorize(ctx, ctx.principal, input.collection, ['admin'], input.replica);
    return { replica, ...ctx.syncgroups(replica, input.collection) };
  }),

  /**
   * An admin adds or removes member patterns: the whole member list is
   * replaced, only if still at the version the admin read; a spec that would
   * leave the admin without admin is refused, so no one locks themselves out.
   */
  setSyncgroup: authedProcedure.input(setSyncgroupRequest).mutation(async ({ ctx, input }) => {
    const replica = authorize(ctx, ctx.principal, input.collection, ['admin'], input.replica);
    const keepsAdmin = input.members.some((member) => member.grants.includes('admin') && memberMatches(member, replica, ctx.principal));
    if (!keepsAdmin) throw new PouroverError('BAD_INPUT', 'the new members must keep you an admin');
    const version = await ctx.identity.setSyncgroup(replica, input.collection, input.members, input.version);
    if (version === undefined) throw new PouroverError('PRECONDITION_FAILED', 'the syncgroup changed since you read it; read it again');
    return { replica, version };
  }),

  /**
   * A named lease for the store's workers (one worker of a kind at a time); renew before it runs out. The store's
   * own token only: a store device taking or shortening a lease would stop the worker that holds it.
   */
  lease: authedProcedure.input(leaseRequest).mutation(async ({ ctx, input }) => {
    if (ctx.principal.kind !== 'store' || ctx.principal.device !== undefined)
      throw new PouroverError('FORBIDDEN', 'only the store’s workers hold leases; a store device may read who holds one');
    return ctx.store.acquireLease(input.name, input.holder, input.ttlMs);
  }),

  /** Who holds a named lease and until when, with the server's time to judge it by; takes nothing (the store's dashboards). */
  leaseHolder: authedProcedure.input(leaseQuery).query(async ({ ctx, input }) => {
    if (ctx.principal.kind !== 'store') throw new PouroverError('FORBIDDEN', 'only the store reads its leases');
    return { lease: await ctx.store.readLease(input.name), now: ctx.now().toISOString() };
  }),
});
