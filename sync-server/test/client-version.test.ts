import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_BUILD_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@pourover/protocol';
import { createSyncClient } from '@pourover/sync-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pouroverApp } from '../src/app/pourover-app.ts';
import { startServer, type RunningServer } from '../src/index.ts';
import { serverLogger } from '../src/http/logger.ts';
import { OLDEST_SERVED_PROTOCOL } from '../src/http/client-version.ts';
import { call, DEMO_REPLICA, deviceToken, errorOf, startTestServer, userDoc, uuid, type TestServer } from './support/test-server.ts';

const input = encodeURIComponent(JSON.stringify({ collection: 'user', checkpoint: null, limit: 10 }));
const pullWith = (server: RunningServer, token: string, headers: Record<string, string>) =>
  call(server, 'GET', `/trpc/sync.pull?input=${input}`, { token, headers });

let server: TestServer;
let strict: RunningServer;
let strictDir: string;
beforeAll(async () => {
  server = await startTestServer();
  strictDir = mkdtempSync(join(tmpdir(), 'pourover-strict-'));
  strict = await startServer({ app: pouroverApp, dataDir: strictDir, seed: true, port: 0, oldestProtocol: PROTOCOL_VERSION });
});
afterAll(async () => {
  await server.stop();
  await strict.close();
  rmSync(strictDir, { recursive: true, force: true });
});

describe('protocol negotiation: every request may name the protocol it speaks and its app build', () => {
  it('serves a client naming this protocol, one from before negotiation, and the oldest it serves', async () => {
    const token = deviceToken(server.key);
    for (const headers of [
      { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), [APP_BUILD_HEADER]: '2026.12.05-abc123' },
      {},
      { [PROTOCOL_HEADER]: String(OLDEST_SERVED_PROTOCOL) },
    ]) {
      expect((await pullWith(server, token, headers)).status).toBe(200);
    }
  });

  it('tells a client older than the server serves to update, with 426 UPDATE_NEEDED in words, and changes nothing', async () => {
    const token = deviceToken(strict.key);
    const write = { collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: userDoc(1) }] };
    const answer = await call(strict, 'POST', '/trpc/sync.push', {
      token,
      body: JSON.stringify(write),
      headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION - 1) },
    });
    expect(answer.status).toBe(426);
    expect(errorOf(answer)).toMatchObject({ code: 'UPDATE_NEEDED', httpStatus: 426 });
    expect(errorOf(answer)?.message).toMatch(/reload the app to update/);
    expect(await strict.store.get(DEMO_REPLICA, 'user', uuid(1))).toBeNull();
  });

  it('asks a client newer than this node to come back later (a rolling deploy), with 503 and Retry-After', async () => {
    const answer = await pullWith(server, deviceToken(server.key), { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION + 1) });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(errorOf(answer)).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('charges a refusal for the version to the request budget, so version headers open no way around the limits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-charged-'));
    const limited = await startServer({
      app: pouroverApp,
      dataDir: dir,
      port: 0,
      limits: { address: { requests: { points: 5, seconds: 60 } } },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1)
        statuses.push((await pullWith(limited, '', { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION + 1) })).status);
      expect(statuses).toEqual([503, 503, 503, 503, 503, 429, 429, 429]);
    } finally {
      await limited.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses malformed version headers as bad input', async () => {
    const token = deviceToken(server.key);
    for (const headers of [{ [PROTOCOL_HEADER]: 'ten' }, { [PROTOCOL_HEADER]: '-1' }, { [APP_BUILD_HEADER]: 'a build; with spaces' }]) {
      const answer = await pullWith(server, token, headers);
      expect(answer.status).toBe(400);
      expect(errorOf(answer)?.message).toMatch(/x-pourover-(protocol|app): not/);
    }
  });

  it('is what the sync client sends: the current protocol, and the build it is given, both in the request log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-logged-'));
    const lines: Record<string, unknown>[] = [];
    const logger = serverLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const logged = await startServer({ app: pouroverApp, dataDir: dir, seed: true, port: 0, logger });
    try {
      const client = createSyncClient({ url: logged.url, token: () => deviceToken(logged.key), appBuild: 'test-build.1' });
      await client.sync.pull.query({ collection: 'user', checkpoint: null, limit: 10 });
      await expect
        .poll(() => lines.find((line) => line['path'] === '/trpc/sync.pull'))
        .toMatchObject({
          protocol: PROTOCOL_VERSION,
          app: 'test-build.1',
          status: 200,
        });
    } finally {
      await logged.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
