import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ServerKey = { privateKey: KeyObject; publicKey: KeyObject };

/** A fresh Ed25519 key pair, kept in memory only. */
export function ephemeralServerKey(): ServerKey {
  return generateKeyPairSync('ed25519');
}

/**
 * The server's Ed25519 signing key, read from `file` or created there on
 * first start (readable by the owner only).
 */
export function loadServerKey(file: string): ServerKey {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(readFileSync(file));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
