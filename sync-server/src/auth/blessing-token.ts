import { sign, verify } from 'node:crypto';
import { blessingName } from '@pourover/schemas';
import { z } from 'zod';
import type { ServerKey } from './server-key.ts';

/** What a blessing token asserts: the holder's blessing name, until `exp` (seconds since the epoch). */
const claimsSchema = z
  .object({
    v: z.literal(1),
    sub: blessingName,
    iat: z.number().int(),
    exp: z.number().int(),
  })
  .strict();
export type BlessingClaims = z.infer<typeof claimsSchema>;

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Signs a blessing for `name`, valid for `ttlSeconds`. */
export function signBlessing(key: ServerKey, options: { name: string; ttlSeconds: number; now?: Date }): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const body: BlessingClaims = { v: 1, sub: blessingName.parse(options.name), iat, exp: iat + options.ttlSeconds };
  const payload = b64(JSON.stringify(body));
  return `${payload}.${b64(sign(null, Buffer.from(payload), key.privateKey))}`;
}

export type Verification = { ok: true; claims: BlessingClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** Claims of tokens whose signature was checked, by key: each request checks the lifetime, the signature only once. */
const checked = new WeakMap<ServerKey, Map<string, BlessingClaims>>();
const CHECKED_TOKENS = 10_000;

/** Checks a token's signature and lifetime; never throws on bad input. */
export function verifyBlessing(key: ServerKey, token: string, now: Date = new Date()): Verification {
  const known = checked.get(key) ?? new Map<string, BlessingClaims>();
  checked.set(key, known);
  const claims = known.get(token) ?? checkSignature(key, token);
  if (!('sub' in claims)) return claims;
  if (!known.has(token)) {
    // The oldest checked token makes room (a Map iterates in insertion order).
    if (known.size >= CHECKED_TOKENS) known.delete(known.keys().next().value as string);
    known.set(token, claims);
  }
  if (claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function checkSignature(key: ServerKey, token: string): BlessingClaims | Extract<Verification, { ok: false }> {
  const match = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{86})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, payload = '', signature = ''] = match;
  if (!verify(null, Buffer.from(payload), key.publicKey, Buffer.from(signature, 'base64url'))) {
    return { ok: false, reason: 'forged' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const result = claimsSchema.safeParse(parsed);
  return result.success ? result.data : { ok: false, reason: 'malformed' };
}
