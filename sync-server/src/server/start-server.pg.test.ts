import { STORE } from '@pourover/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './start-server.ts';
import { onPostgres } from '../../testing/on-postgres.ts';
import { shutOut } from '../../testing/test-postgres.ts';
import { notesApp } from '../../testing/notes-app.ts';
import { userToken } from '../../test/support/notes-server.ts';
import { call, pull, resultOf, tempDir } from '../../test/support/test-server.ts';

onPostgres((postgres) => {
  describe('a server on PostgreSQL', { timeout: 30_000 }, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function serve(options: { seed: boolean }): Promise<{ server: RunningServer; url: string }> {
      const database = await postgres.createDatabase();
      cleanups.push(database.drop);
      const folder = tempDir();
      cleanups.push(() => folder.remove());
      const server = await startServer({ app: notesApp, dataDir: folder.dir, store: database.url, seed: options.seed, port: 0 });
      cleanups.push(() => server.close());
      return { server, url: database.url };
    }

    it('keeps its documents in the database it was given and says so on /healthz', async () => {
      const { server } = await serve({ seed: true });
      expect((await call(server, 'GET', '/healthz')).body).toMatchObject({ ok: true, store: 'postgres' });
      expect(server.store.kind).toBe('postgres');
      expect(await server.store.head(STORE)).toBeGreaterThan(0);
      const items = resultOf<{ documents: unknown[] }>(
        await pull(server, { collection: 'items', checkpoint: null, limit: 1000 }, userToken(server.key)),
      );
      expect(items.documents.length).toBeGreaterThan(0);
    });

    it('answers 503 UNAVAILABLE with Retry-After, on /readyz and to a device, while it cannot hear of revocations, and serves again once it has read them', async () => {
      const { server, url } = await serve({ seed: true });
      const token = userToken(server.key);
      const items = { collection: 'items', checkpoint: null, limit: 10 } as const;
      expect((await call(server, 'GET', '/readyz')).status).toBe(200);
      // The node's listening connections are cut and cannot come back: it can no longer hear of revocations made elsewhere.
      const away = await shutOut(url, 'pourover-listen');
      try {
        await until('/readyz to fail', async () => (await call(server, 'GET', '/readyz')).status === 503);
        const ready = await call(server, 'GET', '/readyz');
        expect(ready.headers.get('retry-after')).toBe('1');
        expect(ready.body).toMatchObject({ ready: false, error: { data: { code: 'UNAVAILABLE', httpStatus: 503 } } });
        const refused = await pull(server, items, token);
        expect({ status: refused.status, retryAfter: refused.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '1' });
        expect(refused.body).toMatchObject({ error: { data: { code: 'UNAVAILABLE', httpStatus: 503 } } });
      } finally {
        await away.letIn();
      }
      await until('/readyz to pass again', async () => (await call(server, 'GET', '/readyz')).status === 200);
      expect((await pull(server, items, token)).status).toBe(200);
    });

    it('serves a request that came while it caught up on revocations once it has, rather than refuse it', async () => {
      const { server, url } = await serve({ seed: true });
      const away = await shutOut(url, 'pourover-listen');
      let answer: ReturnType<typeof pull> | undefined;
      try {
        await until('/readyz to fail', async () => (await call(server, 'GET', '/readyz')).status === 503);
        answer = pull(server, { collection: 'items', checkpoint: null, limit: 10 }, userToken(server.key));
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await away.letIn();
      }
      expect((await answer)?.status).toBe(200);
    });

    it('refuses to start on a store URL that is not PostgreSQL', async () => {
      const folder = tempDir();
      cleanups.push(() => folder.remove());
      await expect(startServer({ app: notesApp, dataDir: folder.dir, store: 'mysql://localhost/pourover', port: 0 })).rejects.toThrow(
        /postgres:\/\//,
      );
    });
  });
});

async function until(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
