import { randomUUID } from 'node:crypto';
import { PouroverError, PROOF_WINDOW_MS, refreshMessage, type StreamTicketGrant } from '@pourover/protocol';
import { credentialOf, isDriverReplica, ownerDevice, principalOf, shopperReplica, STORE } from '@pourover/schemas';
import { z } from 'zod';
import { blessDevice, callerOf, codeRefusal, failedAttempt, newDevice, PAIRING_CODE_MS, pairingCode } from './bless-device.ts';
import { signBlessing } from './blessing-token.ts';
import { deviceLabel } from './device-label.ts';
import { devicePublicKey, verifyDeviceProof } from './device-proof.ts';
import type { DeviceRecord } from './identity-store.ts';
import { isOwnerCode } from './owner-code.ts';
import { hashPassword, passwordMatches, UNMATCHABLE_HASH } from './passwords.ts';
import { clientVersionOf } from '../http/client-version.ts';
import { authedProcedure, publicProcedure, router, type Context } from '../trpc/trpc.ts';

/** How long the store owner's sign-in lasts without a device key (the console code alone, as scripts use it). */
const STORE_SESSION_SECONDS = 12 * 3600;
/** The one answer to a wrong email or password, whether or not the email has an account. */
const WRONG_CREDENTIALS = 'the email or the password is wrong';

/** Registers a shopper's device and blesses it. */
const blessShopperDevice = (ctx: Context, shopperId: string, label: string, publicKey: JsonWebKey | undefined) =>
  blessDevice(ctx, { account: shopperId, name: `${shopperReplica(shopperId)}:${label}`, label, publicKey });

/** Whether `password` is the account's, through the node's password-hash gate; an unknown account costs the same hash. */
function checkPassword(ctx: Context, password: string, account: { passwordHash: string } | undefined): Promise<boolean> {
  return ctx.limits.hashes.run(
    ctx.address,
    async () => (await passwordMatches(password, account?.passwordHash ?? UNMATCHABLE_HASH)) && account !== undefined,
  );
}

/** Why a device's refresh is refused once it was revoked: its own revocation, or its driver's removal. */
async function whyRevoked(ctx: Context, record: DeviceRecord): Promise<string> {
  const principal = principalOf(record.name);
  if (principal?.kind !== 'driver') return 'this device was revoked';
  const driver = await ctx.identity.driver(principal.driverId);
  return driver?.removedAt
    ? 'the store removed this driver: this phone is signed out; ask the store for a new pairing code'
    : 'this driver’s device was revoked; ask the store for a new pairing code';
}

function shopperOf(ctx: Context & { principal: NonNullable<Context['principal']> }): string {
  if (ctx.principal.kind !== 'device') throw new PouroverError('FORBIDDEN', 'only a shopper’s device manages its devices');
  return ctx.principal.shopperId;
}

/**
 * The public procedures here (sign-in, sign-up, dev sign-in, pairing redemption, refresh) were each counted
 * against their client address before tRPC read them (limits/admission.ts); an email is held here.
 */
export const authRouter = router({
  /** The demo's sign-in: blesses a new device of the demo shopper. Only when the server runs seeded. */
  devSignIn: publicProcedure.input(z.object(newDevice).strict()).mutation(async ({ ctx, input }) => {
    if (!ctx.devSignIn) throw new PouroverError('FORBIDDEN', 'dev sign-in is not enabled on this server');
    if (!ctx.app.demo) throw new PouroverError('FORBIDDEN', 'this server’s app has no demo user to sign in as');
    return blessShopperDevice(ctx, ctx.app.demo.user, input.device, input.publicKey);
  }),

  /**
   * The store owner's sign-in, with a single-use code made on the server's console (`pourover-server owner-code`).
   * With a device name and public key, the browser becomes one of the owner's devices (`<store>:owners:<id>`):
   * authorized as the store, refreshed like a shopper's device, listed and revocable (`owner.devices`). Without,
   * it gets the store's blessing for 12 hours and nothing to refresh it with, as scripts always have.
   */
  storeSignIn: publicProcedure
    .input(
      z
        .object({ code: pairingCode, device: deviceLabel.optional(), publicKey: devicePublicKey.optional() })
        .strict()
        .refine((input) => (input.device === undefined) === (input.publicKey === undefined), 'an owner device brings its name and its key'),
    )
    .mutation(async ({ ctx, input }) => {
      const redeemed = await ctx.identity.redeemPairingCode(input.code, ctx.now());
      if (!redeemed.ok || !isOwnerCode(redeemed.shopperId)) {
        throw await failedAttempt(
          ctx,
          callerOf(ctx),
          'this store sign-in code is not valid, or was used or has expired; make a new one with `pourover-server owner-code`',
        );
      }
      if (input.device && input.publicKey) {
        const { device, publicKey } = input;
        return blessDevice(ctx, { account: STORE, name: ownerDevice(device), label: device, publicKey });
      }
      return {
        token: signBlessing(ctx.key, { name: STORE, ttlSeconds: STORE_SESSION_SECONDS, now: ctx.now() }),
        blessing: STORE,
        expiresInSeconds: STORE_SESSION_SECONDS,
      };
    }),

  /**
   * A new shopper: an account (scrypt-hashed password), an empty profile in their new replica, and this device blessed.
   * An email that has an account is answered as sign-in answers: signed in with its password, else the same refusal
   * as a wrong password (see docs/limits.md for what sign-up still tells).
   */
  signUp: publicProcedure
    .input(
      z
        .object({
          name: z.string().min(1).max(120),
          email: z.email().max(254),
          password: z.string().min(10, 'a password has at least 10 characters').max(256),
          ...newDevice,
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const caller = callerOf(ctx, input.email);
      await ctx.limits.publicAttempts.admitEmail(input.email);
      const shopperId = randomUUID();
      const passwordHash = await ctx.limits.hashes.run(ctx.address, () => hashPassword(input.password));
      if (!(await ctx.identity.createAccount({ email: input.email, shopperId, passwordHash }, ctx.now()))) {
        const account = await ctx.identity.account(input.email);
        if (!(await checkPassword(ctx, input.password, account)) || !account) throw await failedAttempt(ctx, caller, WRONG_CREDENTIALS);
        await ctx.limits.publicAttempts.succeeded(caller);
        return blessShopperDevice(ctx, account.shopperId, input.device, input.publicKey);
      }
      const writes = ctx.app.onSignUp?.({ id: shopperId, name: input.name, email: input.email }) ?? [];
      if (writes.length > 0) await ctx.store.commit(shopperReplica(shopperId), writes, 'all');
      return blessShopperDevice(ctx, shopperId, input.device, input.publicKey);
    }),

  /** Email and password sign-in (scrypt); the device brings its public key. */
  signIn: publicProcedure
    .input(z.object({ email: z.email().max(254), password: z.string().min(1).max(256), ...newDevice }).strict())
    .mutation(async ({ ctx, input }) => {
      const caller = callerOf(ctx, input.email);
      await ctx.limits.publicAttempts.admitEmail(input.email);
      const account = await ctx.identity.account(input.email);
      if (!(await checkPassword(ctx, input.password, account)) || !account) throw await failedAttempt(ctx, caller, WRONG_CREDENTIALS);
      await ctx.limits.publicAttempts.succeeded(caller);
      return blessShopperDevice(ctx, account.shopperId, input.device, input.publicKey);
    }),

  /** A new access token for a device that proves it holds its key: no sign-in again after days offline. */
  refresh: publicProcedure
    .input(z.object({ device: z.string().max(300), at: z.iso.datetime(), signature: z.string().max(200) }).strict())
    .mutation(async ({ ctx, input }) => {
      const record = await ctx.identity.device(input.device);
      if (!record?.publicKey) throw new PouroverError('UNAUTHENTICATED', 'this device has no key on file; sign in again');
      if (record.revokedAt) throw new PouroverError('UNAUTHENTICATED', await whyRevoked(ctx, record));
      if (Math.abs(Date.parse(input.at) - ctx.now().getTime()) > PROOF_WINDOW_MS) {
        throw new PouroverError('UNAUTHENTICATED', 'the refresh request is too old or too far ahead; check the device clock');
      }
      // Only a signature that fails counts as a failed attempt: a revoked device retrying is no guess.
      if (!verifyDeviceProof(record.publicKey, refreshMessage(input.device, input.at), input.signature)) {
        throw await failedAttempt(ctx, callerOf(ctx), 'the device’s signature does not match its key');
      }
      if (!principalOf(input.device)) throw new PouroverError('UNAUTHENTICATED', 'not a device blessing');
      if (!(await ctx.limits.refreshProofs.spend(`${input.device}|${input.at}`))) {
        throw new PouroverError('UNAUTHENTICATED', 'this refresh request was used already; sign a new one');
      }
      return {
        token: signBlessing(ctx.key, { name: record.name, ttlSeconds: ctx.accessTokenSeconds, now: ctx.now() }),
        expiresInSeconds: ctx.accessTokenSeconds,
      };
    }),

  /** A single-use code, valid five minutes, that blesses one more device of the caller's shopper. */
  createPairingCode: authedProcedure.mutation(async ({ ctx }) => {
    const code = await ctx.identity.createPairingCode(shopperOf(ctx), PAIRING_CODE_MS, ctx.now());
    return { code, expiresAt: new Date(ctx.now().getTime() + PAIRING_CODE_MS).toISOString() };
  }),

  redeemPairingCode: publicProcedure.input(z.object({ code: pairingCode, ...newDevice }).strict()).mutation(async ({ ctx, input }) => {
    const redeemed = await ctx.identity.redeemPairingCode(input.code, ctx.now());
    // A code made for the store's owner or for a driver pairs no shopper's device.
    if (!redeemed.ok || isOwnerCode(redeemed.shopperId) || isDriverReplica(redeemed.shopperId)) {
      throw await failedAttempt(ctx, callerOf(ctx), codeRefusal[redeemed.ok ? 'unknown' : redeemed.reason]);
    }
    return blessShopperDevice(ctx, redeemed.shopperId, input.device, input.publicKey);
  }),

  /**
   * A single-use ticket, good for a few seconds, that opens one live stream (`sync.stream`, `sync.watch`): asked
   * for with the bearer header just before each connection, so no lasting credential travels in the stream's URL.
   */
  streamTicket: authedProcedure.mutation(async ({ ctx }): Promise<StreamTicketGrant> => {
    const seconds = ctx.limits.settings.streamTicketSeconds;
    // The protocol was checked already (publicProcedure); the ticket carries it to the stream's node, which checks it again.
    const grant = { holder: credentialOf(ctx.principal), protocol: clientVersionOf(ctx.request).protocol };
    return { ticket: await ctx.identity.createStreamTicket(grant, seconds * 1000, ctx.now()), expiresInSeconds: seconds };
  }),

  devices: authedProcedure.query(async ({ ctx }) =>
    (await ctx.identity.devices(shopperOf(ctx))).map((device) => ({
      name: device.name,
      createdAt: device.createdAt,
      revokedAt: device.revokedAt,
      current: device.name === ctx.principal.name,
    })),
  ),

  /** Revokes one of the caller's shopper's devices: refused at once on every request and live stream. */
  revokeDevice: authedProcedure.input(z.object({ device: z.string().max(300) }).strict()).mutation(async ({ ctx, input }) => {
    const record = await ctx.identity.device(input.device);
    if (!record || record.shopperId !== shopperOf(ctx)) throw new PouroverError('NOT_FOUND', 'no such device of yours');
    await ctx.identity.revoke(input.device, ctx.now());
    return { revoked: input.device };
  }),
});
