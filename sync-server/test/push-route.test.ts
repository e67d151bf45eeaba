/**
 * The plain push route (src/http/push-route.ts) answers `sync.push` without
 * tRPC's adapter. Two servers on one signing key and the same seed get the
 * same requests: one as a device sends them (taken by the plain route), the
 * other with a query the route never takes (so tRPC answers). Their
 * answers, log lines and metrics must match, so the two cannot drift.
 */
import { join } from 'node:path';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '@pourover/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBlessing } from '../src/auth/blessing-token.ts';
import { serverLogger } from '../src/http/logger.ts';
import { MAX_BODY_BYTES } from '../src/server/start-server.ts';
import { DEMO_REPLICA, deviceToken, tempDir, startTestServer, userDoc, type TestServer } from './support/test-server.ts';

/** How many requests a device may make in the test's window: the rate-limited case spends the rest. */
const DEVICE_REQUESTS = 40;

type Side = { server: TestServer; lines: string[]; path: string };

async function side(path: string, keyFile: string): Promise<Side> {
  const lines: string[] = [];
  const logger = serverLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  const server = await startTestServer({ keyFile, logger, limits: { device: { requests: { points: DEVICE_REQUESTS, seconds: 600 } } } });
  return { server, lines, path };
}

let plain: Side;
let trpc: Side;
const key = tempDir();
beforeAll(async () => {
  const keyFile = join(key.dir, 'server-key.pem');
  plain = await side('/trpc/sync.push', keyFile);
  trpc = await side('/trpc/sync.push?via=trpc', keyFile);
});
afterAll(async () => {
  await Promise.all([plain?.server.stop(), trpc?.server.stop()]);
  key.remove();
});

type Request = { body: string; headers?: Record<string, string>; token?: string | undefined };
type Answer = { status: number; headers: Record<string, string>; text: string; framing: 'length' | 'chunked' | 'none' };

/** Framing differs by design (the plain route sends a length, tRPC chunks); every other header must match. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'date', 'connection', 'keep-alive']);

async function send(to: Side, request: Request): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    ...request.headers,
  };
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  const logged = to.lines.length;
  const response = await fetch(`${to.server.url}${to.path}`, {
    method: 'POST',
    headers,
    body: request.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  // The log line is written when the response closes, just after the client has it.
  for (let waited = 0; to.lines.length === logged && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  const kept = [...response.headers].filter(([name]) => !FRAMING.has(name));
  const framing = response.headers.has('content-length')
    ? 'length'
    : response.headers.get('transfer-encoding') === 'chunked'
      ? 'chunked'
      : 'none';
  return { status: response.status, headers: Object.fromEntries(kept), text, framing };
}

/** The same request to both servers: the answers must match, and each must have come by its own path. */
async function both(request: (side: Side) => Request): Promise<Answer> {
  const slow = await send(trpc, request(trpc));
  const fast = sameWindow(await send(plain, request(plain)), slow);
  expect({ status: fast.status, headers: fast.headers, text: fast.text }).toEqual({
    status: slow.status,
    headers: slow.headers,
    text: slow.text,
  });
  expect([fast.framing, slow.framing]).toEqual(['length', 'chunked']);
  return fast;
}

/**
 * A budget's window starts on each server at its own first request, a few
 * milliseconds apart, so the seconds a 429 asks to wait may differ by one
 * across a second's edge: within that, the plain answer is given tRPC's.
 */
function sameWindow(fast: Answer, slow: Answer): Answer {
  const [wait, slowWait] = [fast.headers['retry-after'], slow.headers['retry-after']];
  if (fast.status !== 429 || wait === undefined || slowWait === undefined) return fast;
  expect(Math.abs(Number(wait) - Number(slowWait))).toBeLessThanOrEqual(1);
  return { ...fast, headers: { ...fast.headers, 'retry-after': slowWait }, text: fast.text.replace(`in ${wait} s`, `in ${slowWait} s`) };
}

const tokenOf = (to: Side, device = 'phone') => deviceToken(to.server.key, undefined, device);
const pushOf = (collection: string, ...documents: unknown[]) =>
  JSON.stringify({ collection, rows: documents.map((document) => ({ assumedMasterState: null, newDocumentState: document })) });
const errorOf = (answer: Answer) => (JSON.parse(answer.text) as { error: { data: { code: string } } }).error.data.code;

describe('the plain push route answers as tRPC does', () => {
  it('serves a valid push, then its conflict when sent again', async () => {
    const valid = await both((to) => ({ body: pushOf('user', userDoc(1)), token: tokenOf(to) }));
    expect(valid.status).toBe(200);
    expect(JSON.parse(valid.text)).toMatchObject({ result: { data: { conflicts: [] } } });
    const again = await both((to) => ({ body: pushOf('user', userDoc(1, { name: 'Other' })), token: tokenOf(to) }));
    expect(JSON.parse(again.text)).toMatchObject({ result: { data: { conflicts: [{ id: userDoc(1).id }] } } });
    const bom = await both((to) => ({ body: `\uFEFF${pushOf('user', userDoc(2))}`, token: tokenOf(to) }));
    expect(bom.status).toBe(200);
  });

  it('refuses malformed, empty, invalid and too large bodies alike', async () => {
    const cases: [string, number][] = [
      ['{"collection":', 400],
      ['', 400],
      ['{"collection":"user","rows":[{"newDocumentState":{"id":1}}]}', 400],
      [pushOf('user', { ...userDoc(3), name: 'x'.repeat(MAX_BODY_BYTES) }), 413],
    ];
    for (const [body, status] of cases)
      expect([body.slice(0, 30), (await both((to) => ({ body, token: tokenOf(to) }))).status]).toEqual([body.slice(0, 30), status]);
    const charset = await both((to) => ({
      body: pushOf('user', userDoc(4)),
      token: tokenOf(to),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    }));
    expect(charset.status).toBe(200);
  });

  it('refuses missing, malformed, forged and expired blessings alike', async () => {
    const forged = (to: Side) => `${tokenOf(to).split('.')[0]}.${'A'.repeat(86)}`;
    const expired = (to: Side) =>
      signBlessing(to.server.key, { name: `${DEMO_REPLICA}:phone`, ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) });
    const tokens: ((to: Side) => string | undefined)[] = [() => undefined, () => 'not-a-token', forged, expired];
    for (const token of tokens) {
      const answer = await both((to) => ({ body: pushOf('user', userDoc(5)), token: token(to) }));
      expect([answer.status, errorOf(answer)]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('refuses an old, a newer and a malformed protocol alike', async () => {
    const cases: [string, number][] = [
      ['1', 426],
      [String(PROTOCOL_VERSION + 1), 503],
      ['v9', 400],
    ];
    for (const [protocol, status] of cases) {
      const answer = await both((to) => ({
        body: pushOf('user', userDoc(6)),
        token: tokenOf(to),
        headers: { [PROTOCOL_HEADER]: protocol },
      }));
      expect(answer.status).toBe(status);
    }
  });

  it('refuses a collection the device may not write alike', async () => {
    for (const collection of ['catalog', 'placedOrders', 'nonesuch']) {
      const answer = await both((to) => ({ body: pushOf(collection, userDoc(7)), token: tokenOf(to) }));
      expect(answer.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('refuses a device over its budget alike', async () => {
    for (let n = 0; n < DEVICE_REQUESTS; n += 1) {
      await both((to) => ({ body: pushOf('user', userDoc(100 + n)), token: tokenOf(to, 'tablet') }));
    }
    const refused = await both((to) => ({ body: pushOf('user', userDoc(99)), token: tokenOf(to, 'tablet') }));
    expect([refused.status, errorOf(refused)]).toEqual([429, 'RATE_LIMITED']);
    // The window began with the tablet's first push, a few seconds ago.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
  });

  it('leaves the same log lines and metrics as tRPC', async () => {
    const logged = (to: Side) =>
      to.lines.map((line) => {
        const { time: _time, ms: _ms, pid: _pid, hostname: _hostname, ...entry } = JSON.parse(line) as Record<string, unknown>;
        // A 429's seconds to wait may differ by one (see sameWindow).
        if (typeof entry['reason'] === 'string') entry['reason'] = entry['reason'].replace(/in \d+ s$/, 'in N s');
        return entry;
      });
    const pushes = logged(plain).filter((line) => line['path'] === '/trpc/sync.push');
    expect(pushes.length).toBeGreaterThan(DEVICE_REQUESTS);
    expect(pushes).toEqual(logged(trpc).filter((line) => line['path'] === '/trpc/sync.push'));
    const counted = async (to: Side) => {
      const text = await (await fetch(`${to.server.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => /^pourover_(requests_total|refusals_total|conflicts_total|request_duration_seconds_count)\{/.test(line));
    };
    const metrics = await counted(plain);
    expect(metrics.some((line) => line.includes('procedure="sync.push"'))).toBe(true);
    expect(metrics).toEqual(await counted(trpc));
  });
});
