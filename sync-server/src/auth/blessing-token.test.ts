import { shopperReplica, STORE } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { signBlessing, verifyBlessing } from './blessing-token.ts';
import { ephemeralServerKey } from './server-key.ts';

const NAME = `${shopperReplica('00000000-0000-4000-8000-000000000001')}:phone`;

describe('verifyBlessing, which checks a token’s signature once and its lifetime on every use', () => {
  it('refuses a token it accepted before once its lifetime has passed', () => {
    const key = ephemeralServerKey();
    const now = new Date();
    const token = signBlessing(key, { name: NAME, ttlSeconds: 60, now });
    expect(verifyBlessing(key, token, now)).toMatchObject({ ok: true, claims: { sub: NAME } });
    expect(verifyBlessing(key, token, new Date(now.getTime() + 61_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token accepted under one key when another key checks it', () => {
    const mine = ephemeralServerKey();
    const other = ephemeralServerKey();
    const token = signBlessing(mine, { name: NAME, ttlSeconds: 60 });
    expect(verifyBlessing(mine, token)).toMatchObject({ ok: true });
    expect(verifyBlessing(other, token)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses other claims carrying the signature of a token it accepted', () => {
    const key = ephemeralServerKey();
    const token = signBlessing(key, { name: NAME, ttlSeconds: 60 });
    expect(verifyBlessing(key, token)).toMatchObject({ ok: true });
    const [, signature] = token.split('.');
    const iat = Math.floor(Date.now() / 1000);
    const claims = Buffer.from(JSON.stringify({ v: 1, sub: STORE, iat, exp: iat + 60 })).toString('base64url');
    expect(verifyBlessing(key, `${claims}.${signature}`)).toEqual({ ok: false, reason: 'forged' });
  });
});
