/**
 * Whether a field's name says it holds a secret: compared without case, `-`
 * or `_`, it is one of `SECRET_NAMES` or ends with one of `SECRET_ENDINGS`.
 * So `authorization`, `x-pourover-token`, `refresh_token` and an app's
 * `cardToken` all are, and their plurals (`tokens`); `code` is only on its own or as a known kind of code,
 * since `statusCode` and `errorCode` are what a log line is read for.
 */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[-_]/g, '');
  const singular = name.replace(/s$/, '');
  return SECRET_NAMES.has(name) || SECRET_ENDINGS.some((ending) => singular.endsWith(ending));
}

/** Names that are secrets on their own: credentials, and codes that sign someone in or pair a device. */
const SECRET_NAMES = new Set(['authorization', 'proxyauthorization', 'code', 'pairingcode', 'ownercode', 'signincode', 'otp', 'apikey']);

/** Endings that make a name a secret: tokens of every kind, passwords, cookies, proofs, signatures, tickets, keys' secrets. */
const SECRET_ENDINGS = ['token', 'password', 'passphrase', 'secret', 'cookie', 'proof', 'signature', 'ticket', 'privatekey'];
