import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './support/raw-http.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

/** The real server CLI serving a built app, as `npm start` runs it, probed with requests no browser would send. */
describe('the server process against hostile HTTP requests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-hostile-http-'));
  const app = join(dir, 'app');
  let server: ServerProcess;

  beforeAll(async () => {
    mkdirSync(join(app, 'assets'), { recursive: true });
    writeFileSync(join(app, 'index.html'), '<!doctype html><title>shop</title>');
    writeFileSync(join(app, 'assets', 'main-abc123.js'), 'export {};');
    server = await startServerProcess(join(dir, 'data'), undefined, ['--static', app]);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const alive = async () => (await rawRequest(server.url, { path: '/healthz' })).status;

  it('answers a path with a malformed percent-escape with 400, and stays up', async () => {
    for (const [method, path] of [
      ['GET', '/%E0%A4%A'],
      ['HEAD', '/%'],
      ['GET', '/assets/%zz'],
      ['GET', '/%'],
    ] as const) {
      const answer = await rawRequest(server.url, { method, path });
      expect(answer.status, `${method} ${path}`).toBe(400);
      if (method === 'GET') expect(JSON.parse(answer.body).error.data.code).toBe('BAD_INPUT');
    }
    expect(await alive()).toBe(200);
  });

  it('refuses a request for another host name while bound to loopback (DNS rebinding), and answers localhost', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, 'attacker.com.', '127.0.0.1.nip.io']) {
      const answer = await rawRequest(server.url, { path: '/healthz', headers: { host } });
      expect(answer.status, host).toBe(403);
      expect(JSON.parse(answer.body).error.data.code, host).toBe('FORBIDDEN');
    }
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `shop.localhost:${server.port}`]) {
      expect((await rawRequest(server.url, { path: '/healthz', headers: { host } })).status, host).toBe(200);
    }
  });

  it('serves the app with a content security policy, no framing and no sniffing', async () => {
    for (const path of ['/', '/orders', '/assets/main-abc123.js']) {
      const answer = await rawRequest(server.url, { path });
      expect(answer.status, path).toBe(200);
      expect(answer.headers['content-security-policy'], path).toContain("default-src 'self'");
      expect(answer.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(answer.headers['x-frame-options'], path).toBe('DENY');
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
    }
    expect((await rawRequest(server.url, { path: '/healthz' })).headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps its secrets readable by its owner only', () => {
    const data = join(dir, 'data');
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const file of ['identity.sqlite', 'pourover.sqlite', 'server-key.pem', 'store.token']) {
      expect((statSync(join(data, file)).mode & 0o777).toString(8), file).toBe('600');
    }
  });
});
