import { createPublicKey, verify } from 'node:crypto';
import { z } from 'zod';

/** A device's public key: ECDSA P-256 as a JWK (what WebCrypto exports for a non-extractable key pair's public half). */
export const devicePublicKey = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().max(64), y: z.string().max(64) })
  .loose();

/** Whether `signature` (ECDSA P-256 over SHA-256, raw r‖s as WebCrypto makes it) proves the device holds its key. */
export function verifyDeviceProof(publicKey: JsonWebKey, message: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: publicKey as never, format: 'jwk' });
    return verify('sha256', Buffer.from(message), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
