import { PouroverError } from '@pourover/protocol';
import { shopperReplica } from '@pourover/schemas';
import { z } from 'zod';
import { signBlessing } from './auth/blessing-token.ts';
import { DEMO_SHOPPER_ID } from './seed/demo-shopper.ts';
import { publicProcedure, router } from './trpc.ts';

/** How long a dev sign-in's blessing lasts. */
const DEV_BLESSING_SECONDS = 30 * 24 * 3600;

export const authRouter = router({
  /** The demo's sign-in: blesses a new device of the demo shopper. Only when the server runs seeded. */
  devSignIn: publicProcedure
    .input(z.object({ device: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device name is 1–64 letters, digits, _ or -') }).strict())
    .mutation(({ ctx, input }) => {
      if (!ctx.devSignIn) throw new PouroverError('FORBIDDEN', 'dev sign-in is not enabled on this server');
      const name = `${shopperReplica(DEMO_SHOPPER_ID)}:${input.device}`;
      return { token: signBlessing(ctx.key, { name, ttlSeconds: DEV_BLESSING_SECONDS, now: ctx.now() }), blessing: name };
    }),
});
