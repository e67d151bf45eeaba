import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refreshMessage } from '@pourover/protocol';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server/start-server.ts';
import { NOTES_EMAIL, NOTES_REPLICA, NOTES_PASSWORD, notesApp } from '../../testing/notes-app.ts';
import { trpcClient } from '../../test/support/test-server.ts';

const MINUTE = 60_000;

const client = (server: RunningServer, token = '') => trpcClient(server.url, token);

async function deviceKeys() {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  return { keys, publicKey: (await crypto.subtle.exportKey('jwk', keys.publicKey)) as { kty: 'EC'; crv: 'P-256'; x: string; y: string } };
}

async function proof(keys: CryptoKeyPair, device: string, at: string) {
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    keys.privateKey,
    new TextEncoder().encode(refreshMessage(device, at)),
  );
  return Buffer.from(signature).toString('base64url');
}

const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string }).code : undefined);

describe('devices, pairing and revocation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-identity-'));
  let server: RunningServer;
  let clock = Date.now();

  beforeAll(async () => {
    server = await startServer({ app: notesApp, dataDir: dir, seed: true, now: () => new Date(clock), accessTokenSeconds: 60 });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(device: string) {
    const { publicKey, keys } = await deviceKeys();
    const signed = await client(server).auth.signIn.mutate({ email: NOTES_EMAIL, password: NOTES_PASSWORD, device, publicKey });
    return { ...signed, keys };
  }

  it('signs a device in with email and password, and refuses a wrong password', async () => {
    const phone = await signIn('phone');
    expect(phone.blessing).toBe(`${NOTES_REPLICA}:phone`);
    expect(phone.expiresInSeconds).toBe(60);
    await expect(client(server).auth.signIn.mutate({ email: NOTES_EMAIL, password: 'wrong', device: 'x' })).rejects.toSatisfy(
      (error) => codeOf(error) === 'UNAUTHENTICATED',
    );
  });

  it('refreshes an expired access token when the device signs with its key, and only then', async () => {
    const laptop = await signIn('laptop');
    clock += 2 * MINUTE;
    await expect(client(server, laptop.token).sync.pull.query({ collection: 'notes', checkpoint: null, limit: 1 })).rejects.toSatisfy(
      (error) => codeOf(error) === 'UNAUTHENTICATED',
    );
    const at = new Date(clock).toISOString();
    const other = await deviceKeys();
    await expect(
      client(server).auth.refresh.mutate({ device: laptop.blessing, at, signature: await proof(other.keys, laptop.blessing, at) }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'UNAUTHENTICATED');
    const stale = new Date(clock - 10 * MINUTE).toISOString();
    await expect(
      client(server).auth.refresh.mutate({
        device: laptop.blessing,
        at: stale,
        signature: await proof(laptop.keys, laptop.blessing, stale),
      }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'UNAUTHENTICATED');
    const signed = { device: laptop.blessing, at, signature: await proof(laptop.keys, laptop.blessing, at) };
    const { token } = await client(server).auth.refresh.mutate(signed);
    expect((await client(server, token).sync.pull.query({ collection: 'notes', checkpoint: null, limit: 1 })).documents).toHaveLength(1);
    // The same signed request, replayed within its window (copied from a log, say), gets nothing.
    await expect(client(server).auth.refresh.mutate(signed)).rejects.toSatisfy((error) => codeOf(error) === 'UNAUTHENTICATED');
  });

  it('pairs a new device with a code that works once, for the user who made it', async () => {
    const phone = await signIn('pairing-phone');
    const { code } = await client(server, phone.token).auth.createPairingCode.mutate();
    const tablet = await deviceKeys();
    const paired = await client(server).auth.redeemPairingCode.mutate({ code, device: 'tablet', publicKey: tablet.publicKey });
    expect(paired.blessing).toBe(phone.blessing.replace(/:pairing-phone$/, ':tablet'));
    await expect(client(server).auth.redeemPairingCode.mutate({ code, device: 'thief' })).rejects.toSatisfy(
      (error) => error instanceof TRPCClientError && /already used/.test(error.message),
    );
    const devices = await client(server, paired.token).auth.devices.query();
    expect(devices.map((d) => d.name)).toEqual(expect.arrayContaining([phone.blessing, paired.blessing]));
  });

  it('refuses a pairing code after five minutes, and one that was never made', async () => {
    const phone = await signIn('expiry-phone');
    const { code } = await client(server, phone.token).auth.createPairingCode.mutate();
    clock += 5 * MINUTE + 1;
    await expect(client(server).auth.redeemPairingCode.mutate({ code, device: 'late' })).rejects.toSatisfy(
      (error) => error instanceof TRPCClientError && /expired/.test(error.message),
    );
    await expect(client(server).auth.redeemPairingCode.mutate({ code: 'ZZZZZZZZ', device: 'guess' })).rejects.toSatisfy(
      (error) => codeOf(error) === 'UNAUTHENTICATED',
    );
  });

  it('cuts a revoked device’s open live stream within a second and refuses its requests and refreshes', async () => {
    const phone = await signIn('keeper');
    const lost = await signIn('lost');
    let failed: number | undefined;
    let started = false;
    const subscription = client(server, lost.token).sync.stream.subscribe(
      { lastEventId: null },
      { onStarted: () => (started = true), onError: () => (failed = Date.now()) },
    );
    while (!started) await new Promise((resolve) => setTimeout(resolve, 10));
    const revokedAt = Date.now();
    await client(server, phone.token).auth.revokeDevice.mutate({ device: lost.blessing });
    while (failed === undefined && Date.now() - revokedAt < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
    subscription.unsubscribe();
    expect(failed).toBeDefined();
    expect((failed ?? Infinity) - revokedAt).toBeLessThan(1_000);

    await expect(client(server, lost.token).sync.pull.query({ collection: 'notes', checkpoint: null, limit: 1 })).rejects.toSatisfy(
      (error) => codeOf(error) === 'UNAUTHENTICATED',
    );
    const at = new Date(clock).toISOString();
    await expect(
      client(server).auth.refresh.mutate({ device: lost.blessing, at, signature: await proof(lost.keys, lost.blessing, at) }),
    ).rejects.toSatisfy((error) => codeOf(error) === 'UNAUTHENTICATED');
    const listed = await client(server, phone.token).auth.devices.query();
    expect(listed.find((d) => d.name === lost.blessing)?.revokedAt).toBeTruthy();
  });
});
