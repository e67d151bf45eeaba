import { PouroverError } from '@pourover/protocol';
import { STORE } from '@pourover/schemas';
import { z } from 'zod';
import { authedProcedure, router, type Context } from '../trpc/trpc.ts';

type StoreContext = Context & { principal: NonNullable<Context['principal']> };

/** The owner device the caller signed in as, if any; refuses anyone but the store. */
function storeCaller(ctx: StoreContext): { device: string | undefined } {
  if (ctx.principal.kind !== 'store') throw new PouroverError('FORBIDDEN', 'only the store manages the store owner’s devices');
  return { device: ctx.principal.device };
}

/** The store owner's devices (`<store>:owners:<id>`), each signed in with a console code, listed and revoked by the store. */
export const ownerRouter = router({
  devices: authedProcedure.query(async ({ ctx }) => {
    const { device: current } = storeCaller(ctx);
    return (await ctx.identity.devices(STORE)).map((device) => ({
      name: device.name,
      createdAt: device.createdAt,
      revokedAt: device.revokedAt,
      current: device.name === current,
    }));
  }),

  /** Revokes one of the owner's devices: its requests, refreshes and open streams and watches are refused at once. */
  revokeDevice: authedProcedure.input(z.object({ device: z.string().max(300) }).strict()).mutation(async ({ ctx, input }) => {
    storeCaller(ctx);
    const record = await ctx.identity.device(input.device);
    if (!record || record.shopperId !== STORE) throw new PouroverError('NOT_FOUND', 'no such device of the store owner’s');
    await ctx.identity.revoke(input.device, ctx.now());
    return { revoked: input.device };
  }),
});
