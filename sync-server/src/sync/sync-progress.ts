import { authorize } from './permissions.ts';
import { authedProcedure, router } from '../trpc/trpc.ts';

/**
 * How far a device's first sync has to go: the position of the latest change
 * of each collection it reads, to set against its checkpoints (a progress
 * bar while thousands of documents come down). Read-only; each collection is
 * checked against the caller's syncgroups, and one it may not read is left out.
 */
export const progressRouter = router({
  heads: authedProcedure.query(async ({ ctx }) => {
    const heads: Record<string, number> = {};
    for (const collection of Object.keys(ctx.app.collections)) {
      let replica: string;
      try {
        replica = authorize(ctx, ctx.principal, collection, ['read']);
      } catch {
        continue;
      }
      heads[collection] = await ctx.store.collectionHead(replica, collection);
    }
    return { heads };
  }),
});
