import { randomUUID } from 'node:crypto';
import { PouroverError } from '@pourover/protocol';
import { driverReplica, isDriverReplica } from '@pourover/schemas';
import { z } from 'zod';
import { blessDevice, callerOf, codeRefusal, failedAttempt, PAIRING_CODE_MS, pairingCode } from './bless-device.ts';
import { deviceLabel } from './device-label.ts';
import { devicePublicKey } from './device-proof.ts';
import type { DriverRecord } from './identity-store.ts';
import { authedProcedure, publicProcedure, router, type Context } from '../trpc/trpc.ts';

/** The most characters a driver's name may have. */
export const MAX_DRIVER_NAME = 60;

/** A driver's name as the store types it: trimmed, 1–60 characters, no control characters. */
const driverName = z
  .string()
  .trim()
  .min(1, 'name the driver')
  .max(MAX_DRIVER_NAME, `a driver’s name has at most ${MAX_DRIVER_NAME} characters`)
  .refine((name) => !/\p{Cc}/u.test(name), 'a driver’s name has no control characters');

const driverId = z.object({ driverId: z.uuid() }).strict();

type AuthedContext = Context & { principal: NonNullable<Context['principal']> };

function mustBeStore(ctx: AuthedContext) {
  if (ctx.principal.kind !== 'store') throw new PouroverError('FORBIDDEN', 'only the store manages drivers');
}

/** A driver not removed, or NOT_FOUND. */
async function activeDriver(ctx: Context, id: string): Promise<DriverRecord> {
  const driver = await ctx.identity.driver(id);
  if (!driver || driver.removedAt) throw new PouroverError('NOT_FOUND', 'no such driver (removed, or never added)');
  return driver;
}

const shown = (driver: DriverRecord) => ({ id: driver.id, name: driver.name, createdAt: driver.createdAt });

/**
 * The store's drivers: each is `<store>:drivers:<id>`, its phones
 * `<store>:drivers:<id>:<device>`, paired with a single-use code the
 * store makes (as a shopper pairs a second device). A driver's blessing is
 * a member of none of the shop's syncgroups, so it reads nothing of any
 * shopper nor the store's collections; its own replica holds the
 * collections homed there.
 */
export const driversRouter = router({
  create: authedProcedure.input(z.object({ name: driverName }).strict()).mutation(async ({ ctx, input }) => {
    mustBeStore(ctx);
    const driver = { id: randomUUID(), name: input.name };
    await ctx.identity.createDriver(driver, ctx.now());
    return { ...driver, createdAt: ctx.now().toISOString() };
  }),

  list: authedProcedure.query(async ({ ctx }) => {
    mustBeStore(ctx);
    return (await ctx.identity.drivers()).map(shown);
  }),

  /** Removes a driver: every phone of theirs is revoked at once (requests, refreshes, open streams). */
  remove: authedProcedure.input(driverId).mutation(async ({ ctx, input }) => {
    mustBeStore(ctx);
    if (!(await ctx.identity.removeDriver(input.driverId, ctx.now())))
      throw new PouroverError('NOT_FOUND', 'no such driver (removed, or never added)');
    return { removed: input.driverId };
  }),

  /** A single-use code, valid five minutes, that signs one phone in as the driver. */
  createPairingCode: authedProcedure.input(driverId).mutation(async ({ ctx, input }) => {
    mustBeStore(ctx);
    const driver = await activeDriver(ctx, input.driverId);
    const code = await ctx.identity.createPairingCode(driverReplica(driver.id), PAIRING_CODE_MS, ctx.now());
    return { code, expiresAt: new Date(ctx.now().getTime() + PAIRING_CODE_MS).toISOString() };
  }),

  /**
   * A driver's phone signs in with a code the store made: registered with its public key, it refreshes its
   * blessing as a shopper's device does. Counted, like every sign-in, against the caller's public attempts.
   */
  signIn: publicProcedure
    .input(z.object({ code: pairingCode, device: deviceLabel, publicKey: devicePublicKey }).strict())
    .mutation(async ({ ctx, input }) => {
      const redeemed = await ctx.identity.redeemPairingCode(input.code, ctx.now());
      if (!redeemed.ok || !isDriverReplica(redeemed.shopperId)) {
        throw await failedAttempt(ctx, callerOf(ctx), codeRefusal[redeemed.ok ? 'unknown' : redeemed.reason]);
      }
      const id = redeemed.shopperId.slice(driverReplica('').length);
      const removed = 'the store removed this driver; ask the store for a new pairing code';
      const driver = await ctx.identity.driver(id);
      if (!driver || driver.removedAt) throw new PouroverError('UNAUTHENTICATED', removed);
      const name = `${redeemed.shopperId}:${input.device}`;
      const blessed = await blessDevice(ctx, { account: redeemed.shopperId, name, label: input.device, publicKey: input.publicKey });
      // Removed while this phone registered: the removal revoked it, or did not see it and this revokes it.
      if ((await ctx.identity.driver(id))?.removedAt) {
        await ctx.identity.revoke(name, ctx.now());
        throw new PouroverError('UNAUTHENTICATED', removed);
      }
      return { ...blessed, driver: shown(driver) };
    }),

  /** Who a driver's phone is signed in as. */
  me: authedProcedure.query(async ({ ctx }) => {
    if (ctx.principal.kind !== 'driver') throw new PouroverError('FORBIDDEN', 'only a driver’s phone asks who its driver is');
    return shown(await activeDriver(ctx, ctx.principal.driverId));
  }),
});
