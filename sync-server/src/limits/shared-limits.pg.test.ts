import { join } from 'node:path';
import { refreshMessage } from '@pourover/protocol';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../server/start-server.ts';
import { onPostgres } from '../../testing/on-postgres.ts';
import { call, tempDir, trpcClient } from '../../test/support/test-server.ts';
import { pouroverApp } from '../app/pourover-app.ts';

const codeOf = (error: unknown) => (error instanceof TRPCClientError ? (error.data as { code?: string }).code : undefined);
const streamPath = (ticket: string) =>
  `/trpc/sync.stream?input=${encodeURIComponent(JSON.stringify({ lastEventId: null }))}&connectionParams=${encodeURIComponent(JSON.stringify({ ticket }))}`;

onPostgres((postgres) => {
  describe('limits shared by two server nodes on one PostgreSQL database', { timeout: 30_000 }, () => {
    let drop: () => Promise<void>;
    const folders = [tempDir(), tempDir(), tempDir()];
    let one: RunningServer;
    let two: RunningServer;

    beforeAll(async () => {
      const database = await postgres.createDatabase();
      drop = database.drop;
      const [a, b, keys] = folders.map((folder) => folder.dir) as [string, string, string];
      const keyFile = join(keys, 'server-key.pem');
      const limits = {
        account: { devices: 3 },
        address: { publicCalls: { points: 40, seconds: 60 }, failures: { failures: 1_000, seconds: 60, lockSeconds: 60 } },
        email: { failures: { failures: 4, seconds: 60, lockSeconds: 60 } },
      };
      [one, two] = await Promise.all([
        startServer({ app: pouroverApp, dataDir: a, store: database.url, keyFile, seed: true, port: 0, limits }),
        startServer({ app: pouroverApp, dataDir: b, store: database.url, keyFile, seed: true, port: 0, limits }),
      ]);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([one?.close(), two?.close()]);
      await drop?.();
      for (const folder of folders) folder.remove();
    });

    it('locks an email out on both nodes once its failed sign-ins, spread over the two, reach the count', async () => {
      const signIn = (server: RunningServer, password: string) =>
        trpcClient(server.url).auth.signIn.mutate({ email: 'demo@example.com', password, device: 'phone' });
      for (const server of [one, two, one, two])
        await expect(signIn(server, 'a-wrong-password')).rejects.toSatisfy((error) => codeOf(error) === 'UNAUTHENTICATED');
      // Counted per node, each would still have two tries left; shared, both refuse even the right password.
      await expect(signIn(one, 'pourover-demo')).rejects.toSatisfy((error) => codeOf(error) === 'RATE_LIMITED');
      await expect(signIn(two, 'pourover-demo')).rejects.toSatisfy((error) => codeOf(error) === 'RATE_LIMITED');
    });

    it('caps an account’s devices over both nodes', async () => {
      const signIn = (server: RunningServer, device: string) => trpcClient(server.url).auth.devSignIn.mutate({ device });
      await signIn(one, 'cap-a');
      await signIn(two, 'cap-b');
      await signIn(one, 'cap-c');
      await expect(signIn(two, 'cap-d')).rejects.toSatisfy(
        (error) => codeOf(error) === 'RATE_LIMITED' && /3 devices/.test((error as Error).message),
      );
      await expect(signIn(one, 'cap-d')).rejects.toSatisfy((error) => codeOf(error) === 'RATE_LIMITED');
    });

    it('takes a signed refresh request once, whichever node it is replayed on', async () => {
      const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      const publicKey = (await crypto.subtle.exportKey('jwk', keys.publicKey)) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
      // The account's third device: the cap test above signed in cap-a to cap-c, so this is cap-b again, now with a key.
      const { blessing } = await trpcClient(one.url).auth.devSignIn.mutate({ device: 'cap-b', publicKey });
      const at = new Date().toISOString();
      const signature = Buffer.from(
        await crypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-256' },
          keys.privateKey,
          new TextEncoder().encode(refreshMessage(blessing, at)),
        ),
      ).toString('base64url');
      await trpcClient(one.url).auth.refresh.mutate({ device: blessing, at, signature });
      await expect(trpcClient(two.url).auth.refresh.mutate({ device: blessing, at, signature })).rejects.toSatisfy(
        (error) => codeOf(error) === 'UNAUTHENTICATED',
      );
    });

    it('opens one stream on the other node with a ticket fetched on one, and refuses the ticket there again', async () => {
      const phone = await trpcClient(one.url).auth.devSignIn.mutate({ device: 'cap-a' });
      const { ticket } = await trpcClient(one.url, phone.token).auth.streamTicket.mutate();
      const controller = new AbortController();
      const opened = await fetch(`${two.url}${streamPath(ticket)}`, {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      });
      expect(opened.status).toBe(200);
      controller.abort();
      const again = await call(one, 'GET', streamPath(ticket));
      expect(again.status).toBe(401);
      expect(again.text).toMatch(/unknown, used or expired/);
    });

    it('counts an address’s calls to the public endpoints over both nodes', async () => {
      // 40 a minute from this address, shared: the calls above took some; the rest run out across the two nodes.
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          call(n % 2 ? one : two, 'POST', '/trpc/auth.devSignIn', {
            body: JSON.stringify({ device: 'cap-a' }),
            headers: { 'content-type': 'application/json' },
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(40);
    });
  });
});
