import { describe, expect, it } from 'vitest';
import { isSecretKey } from './secret-keys.ts';

describe('a field named like a secret', () => {
  it('is any kind of token, password, cookie, proof, signature, ticket or sign-in code, however it is cased or joined', () => {
    for (const key of [
      'token',
      'accessToken',
      'refresh_token',
      'x-pourover-token',
      'blessingToken',
      'cardToken',
      'metricsToken',
      'password',
      'newPassword',
      'authorization',
      'Proxy-Authorization',
      'cookie',
      'Set-Cookie',
      'proof',
      'signature',
      'ticket',
      'code',
      'pairingCode',
      'ownerCode',
      'clientSecret',
      'apiKey',
      'tokens',
      'cookies',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('is not a code a log line is read for, nor an ordinary field', () => {
    for (const key of ['statusCode', 'errorCode', 'error', 'reason', 'path', 'blessing', 'status', 'id', 'name', 'message']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});
