import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { onPostgres } from '../testing/on-postgres.ts';
import { tempDir, trpcClient } from './support/test-server.ts';
import { pouroverApp } from '../src/app/pourover-app.ts';

const client = (server: RunningServer, token = '') => trpcClient(server.url, token);
const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string }).code : undefined);

onPostgres((postgres) => {
  describe('two server nodes on one PostgreSQL database', { timeout: 30_000 }, () => {
    let drop: () => Promise<void>;
    const folders = [tempDir(), tempDir(), tempDir()];
    let one: RunningServer;
    let two: RunningServer;

    beforeAll(async () => {
      const database = await postgres.createDatabase();
      drop = database.drop;
      const [a, b, keys] = folders.map((folder) => folder.dir) as [string, string, string];
      const keyFile = join(keys, 'server-key.pem');
      [one, two] = await Promise.all([
        startServer({ app: pouroverApp, dataDir: a, store: database.url, keyFile, seed: true, port: 0 }),
        startServer({ app: pouroverApp, dataDir: b, store: database.url, keyFile, seed: true, port: 0 }),
      ]);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([one?.close(), two?.close()]);
      await drop?.();
      for (const folder of folders) folder.remove();
    });

    it('accepts on one node a device signed in through the other, and lists it there', async () => {
      const signed = await client(one).auth.devSignIn.mutate({ device: 'shared-phone' });
      const listed = await client(two, signed.token).auth.devices.query();
      expect(listed.find((device) => device.current)?.name).toBe(signed.blessing);
    });

    it('refuses a pairing code on the second node once the first redeemed it', async () => {
      const phone = await client(one).auth.devSignIn.mutate({ device: 'pairing-phone' });
      const { code } = await client(one, phone.token).auth.createPairingCode.mutate();
      await client(two).auth.redeemPairingCode.mutate({ code, device: 'tablet' });
      await expect(client(one).auth.redeemPairingCode.mutate({ code, device: 'thief' })).rejects.toSatisfy(
        (error) => error instanceof TRPCClientError && /already used/.test(error.message),
      );
    });

    it('cuts a device’s live stream on one node within a second of its revocation through the other, and refuses it on both', async () => {
      const keeper = await client(one).auth.devSignIn.mutate({ device: 'keeper' });
      const lost = await client(two).auth.devSignIn.mutate({ device: 'lost' });
      let failed: number | undefined;
      let started = false;
      const subscription = client(two, lost.token).sync.stream.subscribe(
        { lastEventId: null },
        { onStarted: () => (started = true), onError: () => (failed = Date.now()) },
      );
      while (!started) await new Promise((resolve) => setTimeout(resolve, 10));
      const revokedAt = Date.now();
      await client(one, keeper.token).auth.revokeDevice.mutate({ device: lost.blessing });
      while (failed === undefined && Date.now() - revokedAt < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
      subscription.unsubscribe();
      expect(failed).toBeDefined();
      expect((failed ?? Infinity) - revokedAt).toBeLessThan(1_000);
      for (const node of [one, two]) {
        await expect(client(node, lost.token).sync.pull.query({ collection: 'user', checkpoint: null, limit: 1 })).rejects.toSatisfy(
          (error) => codeOf(error) === 'UNAUTHENTICATED',
        );
      }
    });
  });
});
