import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/test-server.ts';
import { staticFiles } from './static-files.ts';

const folder = tempDir();
const script = 'console.log("the shop");'.repeat(40);
const server = createServer((req, res) => {
  if (!staticFiles(folder.dir)(req, res, req.url ?? '/')) res.writeHead(404).end();
});
let port = 0;

beforeAll(async () => {
  mkdirSync(join(folder.dir, 'assets'));
  writeFileSync(join(folder.dir, 'index.html'), '<!doctype html><title>shop</title>');
  writeFileSync(join(folder.dir, 'robots.txt'), 'User-agent: *\nAllow: /\n');
  writeFileSync(join(folder.dir, 'assets', 'app-1a2b.js'), script);
  writeFileSync(join(folder.dir, 'assets', 'app-1a2b.js.br'), brotliCompressSync(script));
  writeFileSync(join(folder.dir, 'assets', 'app-1a2b.js.gz'), gzipSync(script));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  folder.remove();
});

/** A raw GET (Node's http, which sends only the accept-encoding given and decodes nothing). */
function get(
  path: string,
  acceptEncoding?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the built shop', () => {
  it('is sent brotli- or gzip-compressed as the build made it, to a client that takes it, and cached a year when hashed', async () => {
    const br = await get('/assets/app-1a2b.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['vary']).toBe('accept-encoding');
    expect(br.body.length).toBeLessThan(script.length / 5);
    const gzip = await get('/assets/app-1a2b.js', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await get('/assets/app-1a2b.js', 'br;q=0, identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('answers /robots.txt as text, and any other path with the app', async () => {
    const robots = await get('/robots.txt');
    expect(robots.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(robots.body.toString()).toMatch(/^User-agent: \*/);
    const route = await get('/notes/0191d2c4-aaaa-4bbb-8ccc-000000000001');
    expect(route.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(route.headers['cache-control']).toBe('no-cache');
  });
});
