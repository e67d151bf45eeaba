import { randomUUID } from 'node:crypto';
import { PouroverError, PROOF_WINDOW_MS, refreshMessage } from '@pourover/protocol';
import { principalOf, shopperReplica, STORE } from '@pourover/schemas';
import { z } from 'zod';
import { signBlessing } from './auth/blessing-token.ts';
import { devicePublicKey, verifyDeviceProof } from './auth/device-proof.ts';
import { isOwnerCode } from './auth/owner-code.ts';
import { hashPassword, passwordMatches } from './auth/passwords.ts';
import { DEMO_SHOPPER_ID } from './seed/demo-shopper.ts';
import { authedProcedure, publicProcedure, router, type Context } from './trpc.ts';

/** A device blessing without a key to refresh it lasts this long (the demo's dev sign-in). */
const KEYLESS_BLESSING_SECONDS = 30 * 24 * 3600;
const PAIRING_CODE_MS = 5 * 60_000;
/** How long the store owner's sign-in lasts. */
const STORE_SESSION_SECONDS = 12 * 3600;

const pairingCode = z.string().regex(/^[A-Za-z0-9]{8}$/, 'a code is 8 letters and digits');

const deviceLabel = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device name is 1–64 letters, digits, _ or -');
const newDevice = { device: deviceLabel, publicKey: devicePublicKey.optional() };

/** Registers a shopper's device and blesses it: short-lived when it has a key to refresh with. */
async function blessDevice(ctx: Context, shopperId: string, label: string, publicKey: JsonWebKey | undefined) {
  const name = `${shopperReplica(shopperId)}:${label}`;
  if ((await ctx.identity.registerDevice({ name, shopperId, publicKey: publicKey ?? null }, ctx.now())) === 'revoked') {
    throw new PouroverError('FORBIDDEN', `the device ${label} was revoked; sign in under another device name`);
  }
  const ttlSeconds = publicKey ? ctx.accessTokenSeconds : KEYLESS_BLESSING_SECONDS;
  return { token: signBlessing(ctx.key, { name, ttlSeconds, now: ctx.now() }), blessing: name, expiresInSeconds: ttlSeconds };
}

function shopperOf(ctx: Context & { principal: NonNullable<Context['principal']> }): string {
  if (ctx.principal.kind !== 'device') throw new PouroverError('FORBIDDEN', 'only a shopper’s device manages its devices');
  return ctx.principal.shopperId;
}

export const authRouter = router({
  /** The demo's sign-in: blesses a new device of the demo shopper. Only when the server runs seeded. */
  devSignIn: publicProcedure.input(z.object(newDevice).strict()).mutation(({ ctx, input }) => {
    if (!ctx.devSignIn) throw new PouroverError('FORBIDDEN', 'dev sign-in is not enabled on this server');
    return blessDevice(ctx, DEMO_SHOPPER_ID, input.device, input.publicKey);
  }),

  /** The store owner's sign-in, with a single-use code made on the server's console (`pourover-server owner-code`). */
  storeSignIn: publicProcedure.input(z.object({ code: pairingCode }).strict()).mutation(async ({ ctx, input }) => {
    const redeemed = await ctx.identity.redeemPairingCode(input.code, ctx.now());
    if (!redeemed.ok || !isOwnerCode(redeemed.shopperId)) {
      throw new PouroverError('UNAUTHENTICATED', 'this store sign-in code is not valid, or was used or has expired; make a new one with `pourover-server owner-code`');
    }
    return { token: signBlessing(ctx.key, { name: STORE, ttlSeconds: STORE_SESSION_SECONDS, now: ctx.now() }), blessing: STORE };
  }),

  /** A new shopper: an account (scrypt-hashed password), an empty profile in their new replica, and this device blessed. */
  signUp: publicProcedure
    .input(z.object({ name: z.string().min(1).max(120), email: z.email().max(254), password: z.string().min(10, 'a password has at least 10 characters').max(256), ...newDevice }).strict())
    .mutation(async ({ ctx, input }) => {
      const shopperId = randomUUID();
      if (!(await ctx.identity.createAccount({ email: input.email, shopperId, passwordHash: await hashPassword(input.password) }, ctx.now()))) {
        throw new PouroverError('PRECONDITION_FAILED', 'an account with this email exists; sign in instead');
      }
      const profile = { id: shopperId, name: input.name, email: input.email, address: '', paymentToken: '', _deleted: false };
      await ctx.store.commit(shopperReplica(shopperId), [{ collection: 'user', document: profile, expect: { kind: 'absent' } }], 'all');
      return blessDevice(ctx, shopperId, input.device, input.publicKey);
    }),

  /** Email and password sign-in (scrypt); the device brings its public key. */
  signIn: publicProcedure
    .input(z.object({ email: z.email().max(254), password: z.string().min(1).max(256), ...newDevice }).strict())
    .mutation(async ({ ctx, input }) => {
      const account = await ctx.identity.account(input.email);
      if (!account || !(await passwordMatches(input.password, account.passwordHash))) {
        throw new PouroverError('UNAUTHENTICATED', 'the email or the password is wrong');
      }
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
      if (!verifyDeviceProof(record.publicKey, refreshMessage(input.device, input.at), input.signature)) {
        throw new PouroverError('UNAUTHENTICATED', 'the device’s signature does not match its key');
      }
      if (!principalOf(input.device)) throw new PouroverError('UNAUTHENTICATED', 'not a device blessing');
      return { token: signBlessing(ctx.key, { name: record.name, ttlSeconds: ctx.accessTokenSeconds, now: ctx.now() }), expiresInSeconds: ctx.accessTokenSeconds };
    }),

  /** A single-use code, valid five minutes, that blesses one more device of the caller's shopper. */
  createPairingCode: authedProcedure.mutation(async ({ ctx }) => {
    const code = await ctx.identity.createPairingCode(shopperOf(ctx), PAIRING_CODE_MS, ctx.now());
    return { code, expiresAt: new Date(ctx.now().getTime() + PAIRING_CODE_MS).toISOString() };
  }),

  redeemPairingCode: publicProcedure
    .input(z.object({ code: pairingCode, ...newDevice }).strict())
    .mutation(async ({ ctx, input }) => {
      const redeemed = await ctx.identity.redeemPairingCode(input.code, ctx.now());
      if (!redeemed.ok || isOwnerCode(redeemed.shopperId)) {
        const why = { unknown: 'this pairing code is not valid', used: 'this pairing code was already used', expired: 'this pairing code has expired' };
        throw new PouroverError('UNAUTHENTICATED', why[redeemed.ok ? 'unknown' : redeemed.reason]);
      }
      return blessDevice(ctx, redeemed.shopperId, input.device, input.publicKey);
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
