import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ServerKey = { privateKey: KeyObject; publicKey: KeyObject };

/** A fresh Ed25519 key pair, kept in memory only. */
export function ephemeralServerKey(): ServerKey {
  return generateKeyPairSync('ed25519');
}

/**
 * The server's Ed25519 signing key, read from `file` or created there on
 * first start (readable by the owner only). Nodes that share a database
 * read one file: the first to start creates it whole (written aside, then
 * linked into place), the others read it.
 */
export function loadServerKey(file: string): ServerKey {
  if (!existsSync(file)) createKeyFile(file);
  const privateKey = createPrivateKey(readFileSync(file));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** The public key as SPKI PEM: what nodes on one database compare to know they sign alike. */
export const publicKeyPem = (key: ServerKey) => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function createKeyFile(file: string) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const aside = `${file}.${process.pid}.new`;
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(aside, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (error) {
    // Another node created it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}
