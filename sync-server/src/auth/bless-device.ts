import { PouroverError } from '@pourover/protocol';
import { z } from 'zod';
import { signBlessing } from './blessing-token.ts';
import { deviceLabel } from './device-label.ts';
import { devicePublicKey } from './device-proof.ts';
import type { Caller } from '../limits/public-attempts.ts';
import { RateLimited } from '../limits/rate-limited.ts';
import type { Context } from '../trpc/trpc.ts';

/** A device blessing without a key to refresh it lasts this long (the demo's dev sign-in). */
const KEYLESS_BLESSING_SECONDS = 30 * 24 * 3600;
/** How long a pairing code (a shopper's second device, a driver's phone) stays valid. */
export const PAIRING_CODE_MS = 5 * 60_000;
/** When an account at the device cap is told to try again: only revoking a device lifts it. */
const DEVICE_CAP_RETRY_SECONDS = 60;

/** A pairing or sign-in code as typed: 8 letters and digits. */
export const pairingCode = z.string().regex(/^[A-Za-z0-9]{8}$/, 'a code is 8 letters and digits');

/** What a device signing in brings: the name it is given and, to refresh its blessing later, its public key. */
export const newDevice = { device: deviceLabel, publicKey: devicePublicKey.optional() };

export type Blessed = { token: string; blessing: string; expiresInSeconds: number };

/**
 * Registers a device of an account (a shopper, a driver, the store's owner) under `name` and blesses it:
 * short-lived when it has a key to refresh with. A new device name past the account's cap is refused;
 * signing in again under a known one is not a new device.
 */
export async function blessDevice(
  ctx: Context,
  device: { account: string; name: string; label: string; publicKey: JsonWebKey | undefined },
): Promise<Blessed> {
  const { account, name, label, publicKey } = device;
  const maxActive = ctx.limits.settings.account.devices;
  const registered = await ctx.identity.registerDevice({ name, shopperId: account, publicKey: publicKey ?? null }, ctx.now(), {
    maxActive,
  });
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

export const callerOf = (ctx: Context, email?: string): Caller => ({ address: ctx.address, email });

/** Counts a failed attempt (a wrong password or code, a forged refresh) against the caller, and makes its refusal. */
export async function failedAttempt(ctx: Context, caller: Caller, message: string): Promise<PouroverError> {
  await ctx.limits.publicAttempts.failed(caller);
  return new PouroverError('UNAUTHENTICATED', message);
}

/** Why a redeemed code was refused, in words. */
export const codeRefusal = {
  unknown: 'this pairing code is not valid',
  used: 'this pairing code was already used',
  expired: 'this pairing code has expired',
} as const;
