/**
 * A token for each identity of the authorization matrix, made against the
 * server it runs on: real sign-ins for the shopper's devices (one of them
 * then revoked), and tokens signed, forged or edited for the rest. Not a
 * test file.
 */
import { driverReplica, STORE } from '@pourover/schemas';
import { expect } from 'vitest';
import { deviceKeys } from '../support/device-keys.ts';
import { resultOf, type Answer } from '../support/test-server.ts';
import { signBlessing } from '../../src/auth/blessing-token.ts';
import type { ProbeServer } from '../probe/probe-server.ts';
import { ephemeralServerKey } from '../../src/auth/server-key.ts';
import { D, O, type Identity } from './expected-outcomes.ts';

type Request = (procedure: string, input: unknown, token?: string) => Promise<Answer>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `token` with its claims rewritten to name `name`, keeping its signature. */
function renamed(token: string, name: string): string {
  const [payload = '', signature = ''] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string };
  return `${b64({ ...claims, sub: name })}.${signature}`;
}

/** Signs in (and revokes) the identities that need the server's help; `noCredentials` has no token. */
export async function identityTokens(
  server: ProbeServer,
  requests: { post: Request; query: Request },
): Promise<Partial<Record<Identity, string>>> {
  const { post, query } = requests;
  const tokens: Partial<Record<Identity, string>> = {};
  const phone = resultOf<{ token: string; blessing: string }>(await post('auth.devSignIn', { device: 'matrix-phone' }));
  const lost = resultOf<{ token: string; blessing: string }>(await post('auth.devSignIn', { device: 'matrix-lost' }));
  // The lost device works until its shopper revokes it from another device.
  expect((await query('sync.pull', { collection: 'user', checkpoint: null, limit: 1 }, lost.token)).status).toBe(200);
  expect(resultOf(await post('auth.revokeDevice', { device: lost.blessing }, phone.token))).toEqual({ revoked: lost.blessing });
  const other = signBlessing(server.key, { name: `${O}:tablet`, ttlSeconds: 3600 });

  tokens.device = phone.token;
  tokens.otherDevice = other;
  tokens.revokedDevice = lost.token;
  tokens.expiredToken = signBlessing(server.key, { name: phone.blessing, ttlSeconds: 1, now: new Date(Date.now() - 3_600_000) });
  tokens.forgedSignature = signBlessing(ephemeralServerKey(), { name: phone.blessing, ttlSeconds: 3600 });
  // The other shopper's own token, edited to claim the demo shopper's device.
  tokens.tamperedName = renamed(other, phone.blessing);
  tokens.storeOwner = signBlessing(server.key, { name: STORE, ttlSeconds: 3600 });
  // Drivers the store added, each with a phone paired by a code the store made; one then removed.
  const pairDriver = async (name: string) => {
    const driver = resultOf<{ id: string }>(await post('drivers.create', { name }, tokens.storeOwner));
    const { code } = resultOf<{ code: string }>(await post('drivers.createPairingCode', { driverId: driver.id }, tokens.storeOwner));
    const { publicKey } = await deviceKeys();
    return {
      driver,
      phone: resultOf<{ token: string; blessing: string }>(await post('drivers.signIn', { code, device: 'phone', publicKey })),
    };
  };
  const driver = await pairDriver('Matrix driver');
  const removed = await pairDriver('Removed driver');
  expect((await query('drivers.me', {}, removed.phone.token)).status).toBe(200);
  expect(resultOf(await post('drivers.remove', { driverId: removed.driver.id }, tokens.storeOwner))).toEqual({
    removed: removed.driver.id,
  });
  tokens.driver = driver.phone.token;
  tokens.removedDriver = removed.phone.token;
  expect(driver.phone.blessing).toBe(`${driverReplica(driver.driver.id)}:phone`);
  expect(phone.blessing).toBe(`${D}:matrix-phone`);
  expect(tokens.tamperedName.split('.')[1]).toBe(other.split('.')[1]);
  return tokens;
}
