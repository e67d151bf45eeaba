import { STORE } from '@pourover/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './http-server.ts';
import { onPostgres } from '../testing/on-postgres.ts';
import { call, deviceToken, pull, resultOf, tempDir } from '../test/support/test-server.ts';

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
      const server = await startServer({ dataDir: folder.dir, store: database.url, seed: options.seed, port: 0 });
      cleanups.push(() => server.close());
      return { server, url: database.url };
    }

    it('keeps its documents in the database it was given and says so on /healthz', async () => {
      const { server } = await serve({ seed: true });
      expect((await call(server, 'GET', '/healthz')).body).toMatchObject({ ok: true, store: 'postgres' });
      expect(server.store.kind).toBe('postgres');
      expect(await server.store.head(STORE)).toBeGreaterThan(0);
      const catalog = resultOf<{ documents: unknown[] }>(
        await pull(server, { collection: 'catalog', checkpoint: null, limit: 1000 }, deviceToken(server.key)),
      );
      expect(catalog.documents.length).toBeGreaterThan(0);
    });

    it('refuses to start on a store URL that is not PostgreSQL', async () => {
      const folder = tempDir();
      cleanups.push(() => folder.remove());
      await expect(startServer({ dataDir: folder.dir, store: 'mysql://localhost/pourover', port: 0 })).rejects.toThrow(/postgres:\/\//);
    });
  });
});
