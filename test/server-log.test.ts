import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBlessing, startServer, type LogLevel } from '@pourover/sync-server';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { afterAll, describe, expect, it } from 'vitest';
import { devSignIn } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { callFrom, openStreamFrom, streamPathWith, ticketFor } from './support/from-address.ts';
import { collectingLogger } from './support/log-lines.ts';
import { waitFor } from './support/wait-for.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A seeded server in this process whose log, at `level`, is kept. */
async function loggedServer(level: LogLevel) {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-log-'));
  dirs.push(dir);
  const log = collectingLogger(level);
  const server = await startServer({ app: pouroverApp, dataDir: dir, seed: true, logger: log.logger });
  return { server, ...log };
}

const resultOf = <T>(answer: { body: unknown }) => (answer.body as { result: { data: T } }).result.data;

/** A push, a lease renewal and a health probe: the log's everyday lines. */
async function everyday(server: Awaited<ReturnType<typeof loggedServer>>['server'], token: string) {
  const draft = { ...draftOrder('logged'), _deleted: false };
  const rows = [{ assumedMasterState: null, newDocumentState: draft }];
  expect((await callFrom(server.url, { procedure: 'sync.push', token, input: { collection: 'draftOrders', rows } })).status).toBe(200);
  const store = signBlessing(server.key, { name: 'bluebottle', ttlSeconds: 600 });
  const lease = { name: 'log-test', holder: 'log-test-holder', ttlMs: 5_000 };
  expect((await callFrom(server.url, { procedure: 'sync.lease', token: store, input: lease })).status).toBe(200);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
}

describe('the server’s log', () => {
  it('never holds a token, password, pairing code, owner code or stream ticket that requests carried', async () => {
    const { server, lines, text } = await loggedServer('debug');
    const secrets: string[] = [];
    const token = await devSignIn(server.url, 'log-phone');
    secrets.push(token);
    await everyday(server, token);

    const password = 'correct horse battery staple';
    secrets.push(password);
    const signUp = { name: 'Logged Shopper', email: 'logged@example.com', password, device: 'laptop' };
    const signedUp = resultOf<{ token: string }>(await callFrom(server.url, { procedure: 'auth.signUp', input: signUp }));
    secrets.push(signedUp.token);
    const wrong = { email: 'logged@example.com', password: 'not the password at all', device: 'laptop' };
    expect((await callFrom(server.url, { procedure: 'auth.signIn', input: wrong })).status).toBe(401);
    secrets.push(wrong.password);

    const { code } = resultOf<{ code: string }>(await callFrom(server.url, { procedure: 'auth.createPairingCode', token: signedUp.token }));
    secrets.push(code);
    const paired = resultOf<{ token: string }>(
      await callFrom(server.url, { procedure: 'auth.redeemPairingCode', input: { code, device: 'tablet' } }),
    );
    secrets.push(paired.token);

    const ownerCode = server.ownerCode ?? '';
    secrets.push(ownerCode);
    const owner = resultOf<{ token: string }>(await callFrom(server.url, { procedure: 'auth.storeSignIn', input: { code: ownerCode } }));
    secrets.push(owner.token);

    const ticket = await ticketFor(server.url, token);
    secrets.push(ticket);
    const stream = await openStreamFrom(server.url, streamPathWith({ ticket }));
    await waitFor('the stream to be ready', () => stream.text().includes('"ready"'));
    stream.close();
    // A token where a ticket belongs is refused, and not written down either.
    const leaked = await openStreamFrom(server.url, streamPathWith({ token }));
    expect(leaked.status).toBe(401);
    leaked.close();

    await waitFor('the stream’s line', () => lines.some((line) => line['path'] === '/trpc/sync.stream' && line['status'] === 401));
    await server.close();
    expect(lines.some((line) => line['path'] === '/trpc/auth.redeemPairingCode' && line['status'] === 200)).toBe(true);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(8);
      expect(text()).not.toContain(secret);
    }
  });

  it('has a line per request at info, and lease renewals and health probes only at debug', async () => {
    for (const level of ['info', 'debug'] as const) {
      const { server, lines } = await loggedServer(level);
      const token = await devSignIn(server.url, 'log-phone');
      await everyday(server, token);
      await server.close();
      const line = (path: string) => lines.find((entry) => entry['path'] === path);
      expect(line('/trpc/sync.push')).toMatchObject({ level: 'info', status: 200, blessing: expect.stringMatching(/:log-phone$/) });
      expect(line('/trpc/auth.devSignIn')).toMatchObject({ level: 'info', status: 200 });
      if (level === 'info') {
        expect(lines.filter((entry) => entry['level'] === 'debug')).toEqual([]);
        expect(line('/trpc/sync.lease')).toBeUndefined();
        expect(line('/healthz')).toBeUndefined();
      } else {
        expect(line('/trpc/sync.lease')).toMatchObject({ level: 'debug', status: 200 });
        expect(line('/healthz')).toMatchObject({ level: 'debug', status: 200 });
      }
    }
  });
});
