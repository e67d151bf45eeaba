/**
 * A device's key pair as a browser makes it (WebCrypto, non-extractable
 * ECDSA P-256), the signed refresh requests it sends, and how a test reads
 * a refusal. Not a test file.
 */
import { refreshMessage } from '@pourover/protocol';
import { TRPCClientError } from '@trpc/client';

export type DeviceKeys = { keys: CryptoKeyPair; publicKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string } };

export async function deviceKeys(): Promise<DeviceKeys> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { x = '', y = '' } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  return { keys, publicKey: { kty: 'EC', crv: 'P-256', x, y } };
}

/** A refresh request for `device` at `at`, signed with `keys`. */
export async function signedRefresh(keys: CryptoKeyPair, device: string, at: string) {
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    keys.privateKey,
    new TextEncoder().encode(refreshMessage(device, at)),
  );
  return { device, at, signature: Buffer.from(signature).toString('base64url') };
}

/** The Pourover code and message of a refused call. */
export function refusal(error: unknown): { code: string | undefined; message: string } {
  if (!(error instanceof TRPCClientError)) return { code: undefined, message: String(error) };
  return { code: (error.data as { code?: string } | undefined)?.code, message: error.message };
}

/** Resolves with the refusal a call ends in; fails the test if it succeeds. */
export async function refused(call: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    return refusal(error);
  }
  throw new Error('the call was expected to be refused, and succeeded');
}

/** Waits until `done()` holds, checking every 10 ms, for at most `timeoutMs`; resolves whether it came. */
export async function waitUntil(done: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return done();
}
