import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsAccess } from './metrics-endpoint.ts';

/** A server on 127.0.0.1 answering each request with what `metricsAccess` decided of it. */
let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    const access = metricsAccess(req, { token: undefined });
    res.end(access.ok ? 'ok' : access.code);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Asks from loopback, with `host` as the request's Host header. */
const accessWithHost = (host: string) =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () => resolve(text));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('no answer in 5 s')));
    req.once('error', reject);
    req.end();
  });

describe('token-less /metrics from this machine', () => {
  it('is served when the Host header names a loopback host, with any port or none', async () => {
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, 'LOCALHOST', `[::1]:${port}`, '[::1]', '127.0.0.2:80']) {
      expect(await accessWithHost(host), host).toBe('ok');
    }
  });

  it('is refused when a page rebound its own domain to 127.0.0.1: the Host header names that domain', async () => {
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example`,
      `[::2]:${port}`,
    ]) {
      expect(await accessWithHost(host), host).toBe('UNAUTHENTICATED');
    }
  });
});
