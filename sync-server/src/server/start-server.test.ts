import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { PROTOCOL_VERSION } from '@pourover/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './start-server.ts';
import { notesApp } from '../../testing/notes-app.ts';
import { startNotesServer, userToken, type NotesServer } from '../../test/support/notes-server.ts';
import { call, pull, resultOf, tempDir } from '../../test/support/test-server.ts';
import { SERVER_VERSION } from '../version.ts';

let server: NotesServer;
beforeAll(async () => {
  server = await startNotesServer();
});
afterAll(() => server.stop());

async function itemImageHashes(): Promise<string[]> {
  const answer = await pull(server, { collection: 'items', checkpoint: null, limit: 1000 }, userToken(server.key));
  return resultOf<{ documents: { image: string }[] }>(answer).documents.map((item) => item.image);
}

describe('plain HTTP routes', () => {
  it('answers /healthz with ok, the server version and the sqlite store, without a blessing', async () => {
    const answer = await call(server, 'GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ ok: true, version: SERVER_VERSION, store: 'sqlite' });
    expect(answer.body).toEqual({ ok: true, version: SERVER_VERSION, store: 'sqlite', protocol: PROTOCOL_VERSION });
  });

  it('answers /readyz as ready on its embedded store, without a blessing', async () => {
    const answer = await call(server, 'GET', '/readyz');
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { ready: true } });
  });

  it('serves every item’s image by its hash as an immutable WebP photo whose bytes hash to that name', async () => {
    const hashes = await itemImageHashes();
    expect(hashes.length).toBeGreaterThan(0);
    for (const hash of hashes) {
      const response = await fetch(`${server.url}/images/${hash}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(response.status, hash).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/webp');
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect(bytes.subarray(8, 12).toString('latin1')).toBe('WEBP');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash);
    }
  });

  it('answers 404 for an image hash it does not hold, or a path that is not a hash', async () => {
    for (const path of [`/images/${'0'.repeat(64)}`, `/images/${'0'.repeat(64)}.svg`, `/images/${'A'.repeat(64)}.svg`, '/images/x.svg']) {
      const answer = await call(server, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('cache-control'), path).toBeNull();
    }
  });

  it('answers 404 for a route it does not know', async () => {
    expect((await call(server, 'GET', '/nope')).status).toBe(404);
    expect((await call(server, 'POST', '/healthz', { body: '{}' })).status).toBe(404);
  });
});

describe('a client that sends its request slowly', () => {
  it('is cut off once its request takes longer than the request timeout', async () => {
    const { dir, remove } = tempDir();
    const slow = await startServer({ app: notesApp, dataDir: dir, port: 0, requestTimeoutMs: 1_000 });
    try {
      const socket = connect(slow.port, '127.0.0.1');
      await once(socket, 'connect');
      const started = performance.now();
      socket.write(
        `POST /trpc/sync.push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${userToken(slow.key)}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"rows":`,
      );
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      const closed = once(socket, 'close').then(() => performance.now() - started);
      const waited = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 5_000))]);
      socket.destroy();
      expect(waited).toBeLessThan(5_000);
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
      expect(answer).toContain('the request did not arrive within 1 s');
    } finally {
      await slow.close();
      remove();
    }
  });
});
