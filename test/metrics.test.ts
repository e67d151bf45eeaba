import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSignIn } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { callFrom, openStreamFrom, streamPathWith, ticketFor } from './support/from-address.ts';
import { sample, scrape } from './support/scrape.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

const TOKEN = 'a-metrics-token-for-this-test-only';
/** What a reverse proxy in front adds for a caller on another machine (the server trusts one proxy here). */
const FROM_ELSEWHERE = { 'x-forwarded-for': '203.0.113.9' };

describe('the sync server’s /metrics', () => {
  let dir: string;
  let server: ServerProcess;
  const metrics = (headers: Record<string, string> = {}) => scrape(`${server.url}/metrics`, headers);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pourover-metrics-'));
    server = await startServerProcess(dir, undefined, ['--trusted-proxies', '1', '--metrics-token', TOKEN]);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts pushes with their latency, group commits, deliveries to live streams, conflicts and refusals', async () => {
    const token = await devSignIn(server.url, 'metrics-phone');
    const stream = await openStreamFrom(server.url, streamPathWith({ ticket: await ticketFor(server.url, token) }));
    await waitFor('the stream to be ready', () => stream.text().includes('"ready"'));
    const before = (await metrics()).text;

    for (const note of ['one', 'two', 'three']) {
      const draft = { ...draftOrder(note), _deleted: false };
      const pushed = await callFrom(server.url, {
        procedure: 'sync.push',
        token,
        input: { collection: 'draftOrders', rows: [{ assumedMasterState: null, newDocumentState: draft }] },
      });
      expect(pushed.status).toBe(200);
    }
    // A profile pushed as if none were there yet: the server has one, so it comes back as a conflict.
    const pulled = await callFrom(server.url, {
      procedure: 'sync.pull',
      token,
      kind: 'query',
      input: { collection: 'user', checkpoint: null, limit: 1 },
    });
    const [profile] = (pulled.body as { result: { data: { documents: Record<string, unknown>[] } } }).result.data.documents;
    const stale = await callFrom(server.url, {
      procedure: 'sync.push',
      token,
      input: { collection: 'user', rows: [{ assumedMasterState: null, newDocumentState: { ...profile, name: 'Someone Else' } }] },
    });
    expect((stale.body as { result: { data: { conflicts: unknown[] } } }).result.data.conflicts).toHaveLength(1);
    expect((await callFrom(server.url, { procedure: 'sync.push', input: { collection: 'draftOrders', rows: [] } })).status).toBe(401);

    const delivered = (text: string) => sample(text, 'pourover_commit_to_stream_seconds_count', { stream: 'device' });
    let after = '';
    await waitFor('the pushes to be delivered on the live stream', async () => {
      after = (await metrics()).text;
      return delivered(after) > delivered(before);
    });
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);

    expect(moved('pourover_requests_total', { procedure: 'sync.push', code: 'OK' })).toBe(4);
    expect(moved('pourover_request_duration_seconds_count', { procedure: 'sync.push', code: 'OK' })).toBe(4);
    expect(moved('pourover_request_duration_seconds_sum', { procedure: 'sync.push', code: 'OK' })).toBeGreaterThan(0);
    expect(moved('pourover_requests_total', { procedure: 'sync.push', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(moved('pourover_refusals_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(moved('pourover_conflicts_total', { procedure: 'sync.push', reason: 'conflict' })).toBe(1);
    expect(moved('pourover_commit_group_commits_count')).toBeGreaterThanOrEqual(1);
    expect(moved('pourover_commit_group_commits_sum')).toBeGreaterThanOrEqual(4);
    expect(sample(after, 'pourover_open_streams', { stream: 'device' })).toBe(1);
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // Labels name procedures and codes, never who called.
    expect(after).not.toContain('bluebottle:users');

    stream.close();
    await waitFor(
      'the closed stream to leave the count',
      async () => sample((await metrics()).text, 'pourover_open_streams', { stream: 'device' }) === 0,
    );
  });

  it('refuses a caller from another address without the token (401), or with a wrong one (403), and serves it with the token', async () => {
    const refused = await metrics(FROM_ELSEWHERE);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { data: { code: 'UNAUTHENTICATED' } } });
    expect(refused.text).toContain('POUROVER_METRICS_TOKEN');
    expect(refused.text).not.toContain('pourover_requests_total');

    const wrong = await metrics({ ...FROM_ELSEWHERE, authorization: 'Bearer not-the-metrics-token-at-all' });
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.text)).toMatchObject({ error: { data: { code: 'FORBIDDEN' } } });

    const served = await metrics({ ...FROM_ELSEWHERE, authorization: `Bearer ${TOKEN}` });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(served.text, 'pourover_requests_total', { procedure: '/metrics', code: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
    expect(sample(served.text, 'pourover_requests_total', { procedure: '/metrics', code: 'FORBIDDEN' })).toBeGreaterThanOrEqual(1);

    // On this machine, no token is needed; a forwarded address is never taken for this machine, whatever it names.
    expect((await metrics()).status).toBe(200);
    expect((await metrics({ 'x-forwarded-for': '127.0.0.1' })).status).toBe(401);
    expect((await metrics({ forwarded: 'for=127.0.0.1' })).status).toBe(401);
  });
});
