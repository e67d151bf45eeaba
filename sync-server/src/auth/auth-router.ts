import { randomUUID } from 'node:crypto';
import { PouroverError, PROOF_WINDOW_MS, refreshMessage, type StreamTicketGrant } from '@pourover/protocol';
import { principalOf, shopperReplica, STORE } from '@pourover/schemas';
import { z } from 'zod';
import { signBlessing } from './blessing-token.ts';
import { deviceLabel } from './device-label.ts';
import { devicePublicKey, verifyDeviceProof } from './device-proof.ts';
import { isOwnerCode } from './owner-code.ts';
import { hashPassword, passwordMatches, UNMATCHABLE_HASH } from './passwords.ts';
import type { Caller } from '../limits/public-attempts.ts';
import { RateLimited } from '../limits/rate-limited.ts';
import { clientVersionOf } from '../http/client-version.ts';
import { authedProcedure, publicProcedure, router, type Context } from '../trpc/trpc.ts';

/** A device blessing without a key to refresh it lasts this long (the demo's dev sign-in). */
const KEYLESS_BLESSING_SECONDS = 30 * 24 * 3600;
const PAIRING_CODE_MS = 5 * 60_000;
/** How long the store owner's sign-in lasts. */
const STORE_SESSION_SECONDS = 12 * 3600;
/** When a shopper at the device cap is told to try again: only revoking a device lifts it. */
const DEVICE_CAP_RETRY_SECONDS = 60;
/** The one answer to a wrong email or password, whether or not the email has an account. */
const WRONG_CREDENTIALS = 'the email or the password is wrong';

const pairingCode = z.string().regex(/^[A-Za-z0-9]{8}$/, 'a code is 8 letters and digits');

const newDevice = { device: deviceLabel, publicKey: devicePublicKey.optional() };

/**
 * Registers a shopper's device and blesses it: short-lived when it has a key to refresh with.
 * A new device name past the account's cap is refused; signing in again under a known one is not a new device.
 */
async function blessDevice(ctx: Context, shopperId: string, label: string, publicKey: JsonWebKey | undefined) {
  const name = `${shopperReplica(shopperId)}:${label}`;
  const maxActive = ctx.limits.settings.account.devices;
  const registered = await ctx.identity.registerDevice({ name, shopperId, publicKey: publicKey ?? null }, ctx.now(), { maxActive });
  if (registered === 'revoked') throw new PouroverError('FORBIDDEN', `the device ${label} was revoked; sign in under another device name`);
  if (registered === 'too-many') {
    throw new RateLimited(
      `this account already has ${maxActive} devices signed in: revoke one you no longer use (Devices, on one of them), then sign in again`,
      DEVICE_CAP_RETRY_SECONDS,
    );
  }
  const ttlSeconds = publicKey ? ctx.accessTokenSeconds : KEYLESS_BLESSING_SECONDS;
  return { token: signBlessing(ctx.key, { name, ttlSeconds, now: ctx.now() }), blessing: name, expiresInSeconds: ttlSeconds };
}

const callerOf = (ctx: Context, email?: string): Caller => ({ address: ctx.address, email });

/** Counts a failed attempt (a wrong password or pairing code, a forged refresh) against the caller, and makes its refusal. */
async function failedAttempt(ctx: Context, caller: Caller, message: string): Promise<PouroverError> {
  await ctx.limits.publicAttempts.failed(caller);
  return new PouroverError('UNAUTHENTICATED', message);
}

/** Whether `password` is the account's, through the node's password-hash gate; an unknown account costs the same hash. */
function checkPassword(ctx: Context, password: string, account: { passwordHash: string } | undefined): Promise<boolean> {
  return ctx.limits.hashes.run(
    ctx.address,
    async () => (await passwordMatches(password, account?.passwordHash ?? UNMATCHABLE_HASH)) && account !== undefined,
  );
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
    return blessDevice(ctx, ctx.app.demo.user, input.device, input.publicKey);
  }),

  /** The store owner's sign-in, with a single-use code made on the server's console (`pourover-server owner-code`). */
  storeSignIn: publicProcedure.input(z.object({ code: pairingCode }).strict()).mutation(async ({ ctx, input }) => {
    const redeemed = await ctx.identity.redeemPairingCode(input.code, ctx.now());
    if (!redeemed.ok || !isOwnerCode(redeemed.shopperId)) {
      throw await failedAttempt(
        ctx,
        callerOf(ctx),
        'this store sign-in code is not valid, or was used or has expired; make a new one with `pourover-server owner-code`',
      );
    }
    return { token: signBlessing(ctx.key, { name: STORE, ttlSeconds: STORE_SESSION_SECONDS, now: ctx.now() }), blessing: STORE };
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
        return blessDevice(ctx, account.shopperId, input.device, input.publicKey);
      }
      const writes = ctx.app.onSignUp?.({ id: shopperId, name: input.name, email: input.email }) ?? [];
      if (writes.length > 0) await ctx.store.commit(shopperReplica(shopperId), writes, 'all');
      return blessDevice(ctx, shopperId, input.device, input.publicKey);
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
      return blessDevice(ctx, account.shopperId, input.device, input.publicKey);
    }),

  /** A new access token for a device that proves it holds its key: no sign-in again after days offline. */
  refresh: publicProcedure
    .input(z.object({ device: z.string().max(300), at: z.iso.datetime(), signature: z.string().max(200) }).strict())
    .mutation(async ({ ctx, input }) => {
      const record = await ctx.identity.device(input.device);
      if (!record?.publicKey) throw new PouroverError('UNAUTHENTICATED', 'this device has no key on file; sign in again');
      if (record.revokedAt) throw new PouroverError('UNAUTHENTICATED', 'this device was revoked');
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
    if (!redeemed.ok || isOwnerCode(redeemed.shopperId)) {
      const why = {
        unknown: 'this pairing code is not valid',
        used: 'this pairing code was already used',
        expired: 'this pairing code has expired',
      };
      throw await failedAttempt(ctx, callerOf(ctx), why[redeemed.ok ? 'unknown' : redeemed.reason]);
    }
    return blessDevice(ctx, redeemed.shopperId, input.device, input.publicKey);
  }),

  /**
   * A single-use ticket, good for a few seconds, that opens one live stream (`sync.stream`, `sync.watch`): asked
   * for with the bearer header just before each connection, so no lasting credential travels in the stream's URL.
   */
  streamTicket: authedProcedure.mutation(async ({ ctx }): Promise<StreamTicketGrant> => {
    const seconds = ctx.limits.settings.streamTicketSeconds;
    // The protocol was checked already (publicProcedure); the ticket carries it to the stream's node, which checks it again.
    const grant = { holder: ctx.principal.name, protocol: clientVersionOf(ctx.request).protocol };
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
