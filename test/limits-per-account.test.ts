import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '@pourover/sync-server';
import { afterEach, describe, expect, it } from 'vitest';
import { callFrom, errorOf, openStreamFrom, streamPathWith, ticketFor, type OpenedStream } from './support/from-address.ts';
import { pouroverApp } from '@pourover/sync-server/pourover-app';

const PULL = { collection: 'user', checkpoint: null, limit: 1 };

describe('limits per account: a shopper’s devices are one account, whatever their names', () => {
  const running: { server: RunningServer; dir: string }[] = [];
  afterEach(async () => {
    for (const { server, dir } of running.splice(0)) {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  async function server(limits?: ServerOptions['limits']) {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-account-limits-'));
    const started = await startServer({ app: pouroverApp, dataDir: dir, seed: true, ...(limits ? { limits } : {}) });
    running.push({ server: started, dir });
    return started;
  }
  const signIn = async (url: string, device: string, from = '127.0.0.1') =>
    callFrom(url, { procedure: 'auth.devSignIn', input: { device }, from });
  const tokenOf = (answer: { body: unknown }) => (answer.body as { result: { data: { token: string; blessing: string } } }).result.data;

  it('refuses a 21st device of one account, saying to revoke one, signs a known device in again, and takes a new one once one is revoked', async () => {
    const { url } = await server();
    const devices = [];
    for (let n = 0; n < 20; n += 1) {
      const answer = await signIn(url, `device-${n}`, `127.0.0.${2 + (n % 4)}`);
      expect(answer.status).toBe(200);
      devices.push(tokenOf(answer));
    }
    const refused = await signIn(url, 'device-20', '127.0.0.9');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(errorOf(refused)).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/20 devices.*revoke one/) });

    // Signing in again under a name already in use is the same device, not a new one.
    expect((await signIn(url, 'device-3', '127.0.0.9')).status).toBe(200);

    const [first, second] = devices;
    const revoked = await callFrom(url, { procedure: 'auth.revokeDevice', input: { device: first?.blessing }, token: second?.token });
    expect(revoked.status).toBe(200);
    expect((await signIn(url, 'device-20', '127.0.0.9')).status).toBe(200);
  });

  it('holds all of an account’s devices to one request budget, and another account’s device to its own', async () => {
    const { url } = await server({
      account: { requests: { points: 30, seconds: 60 } },
      device: { requests: { points: 1_000, seconds: 60 } },
    });
    const tokens = [];
    for (let n = 0; n < 5; n += 1) tokens.push(tokenOf(await signIn(url, `budget-${n}`)).token);
    const answers = await Promise.all(
      tokens.flatMap((token, n) =>
        Array.from({ length: 10 }, () =>
          callFrom(url, { procedure: 'sync.pull', kind: 'query', input: PULL, token, from: `127.0.1.${n + 1}` }),
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(30);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    const refused = answers.find((answer) => answer.status === 429);
    expect(errorOf(refused ?? answers[0]!)).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/this account’s devices/),
    });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // A second account (signed up on its own) is not held to the first one's spent budget.
    const other = await callFrom(url, {
      procedure: 'auth.signUp',
      input: { name: 'Other', email: 'other@example.com', password: 'another-long-password', device: 'phone' },
      from: '127.0.2.1',
    });
    expect((await callFrom(url, { procedure: 'sync.pull', kind: 'query', input: PULL, token: tokenOf(other).token })).status).toBe(200);
  });

  it('holds all of an account’s devices to one live-stream cap, refused as 429 before any stream starts', async () => {
    const { url } = await server({ account: { streams: 3 } });
    const tokens = [];
    for (let n = 0; n < 5; n += 1) tokens.push(tokenOf(await signIn(url, `streams-${n}`)).token);
    const open: OpenedStream[] = [];
    try {
      for (const [n, token] of tokens.entries())
        open.push(await openStreamFrom(url, streamPathWith({ ticket: await ticketFor(url, token) }), `127.0.3.${n + 1}`));
      expect(open.map((stream) => stream.status)).toEqual([200, 200, 200, 429, 429]);
      const refused = open[3] as OpenedStream;
      expect(refused.headers['content-type']).toBe('application/json');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.text()).toMatch(/this account’s devices already have 3 live streams open/);

      // Once one of them closes, its place is free for another device of the account.
      open[0]?.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = await openStreamFrom(url, streamPathWith({ ticket: await ticketFor(url, tokens[4] ?? '') }));
      open.push(again);
      expect(again.status).toBe(200);
    } finally {
      for (const stream of open) stream.close();
    }
  });
});
