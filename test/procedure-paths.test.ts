import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@pourover/sync-server';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callFrom, errorOf, openStreamFrom } from './support/from-address.ts';

const INPUT = `input=${encodeURIComponent(JSON.stringify({ lastEventId: null }))}`;

/**
 * tRPC finds a procedure after trimming slashes from the path and decoding it; the server's admission (which holds live
 * streams to their limits) and its plain routes name procedures exactly. A path only tRPC would read is refused.
 */
describe('procedure paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-procedure-paths-'));
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ app: pouroverApp, dataDir: dir, seed: true });
    const answer = await callFrom(server.url, { procedure: 'auth.devSignIn', input: { device: 'paths' } });
    token = (answer.body as { result: { data: { token: string } } }).result.data.token;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens no live stream at a path tRPC would trim or decode to one, so no stream passes its limits unseen', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    const exact = await openStreamFrom(server.url, `/trpc/sync.stream?${INPUT}`, undefined, bearer);
    expect(exact.status).toBe(200);
    exact.close();
    for (const path of ['/trpc/sync.stream/', '/trpc//sync.stream', '/trpc/sync%2Estream', '/trpc/sync.stream%2F']) {
      const opened = await openStreamFrom(server.url, `${path}?${INPUT}`, undefined, bearer);
      opened.close();
      expect(opened.status, path).toBe(404);
      expect(opened.headers['content-type'], path).toMatch(/^application\/json/);
    }
  });

  it('answers a call at such a path 404 in words, and the exact path as before', async () => {
    const pull = { collection: 'user', checkpoint: null, limit: 1 };
    const push = { collection: 'draftOrders', rows: [] };
    for (const call of [
      { procedure: 'sync.pull/', input: pull, kind: 'query' as const },
      { procedure: 'sync%2Epull', input: pull, kind: 'query' as const },
      { procedure: 'sync.push/', input: push },
    ]) {
      const padded = await callFrom(server.url, { ...call, token });
      expect(padded.status, call.procedure).toBe(404);
      expect(errorOf(padded), call.procedure).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/named exactly/) });
    }
    expect((await callFrom(server.url, { procedure: 'sync.pull', input: pull, token, kind: 'query' })).status).toBe(200);
    // The exact push path reaches the procedure, whose input check refuses a push of no rows.
    expect(errorOf(await callFrom(server.url, { procedure: 'sync.push', input: push, token }))?.code).toBe('BAD_INPUT');
  });
});
