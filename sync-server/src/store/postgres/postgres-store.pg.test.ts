import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { shopperReplica, STORE } from '@pourover/schemas';
import { noteDoc } from '../../../testing/notes-app.ts';
import { uuid } from '../../../test/support/test-server.ts';
import { postgresMigrations } from './postgres-migrations.ts';
import { PostgresStore } from './postgres-store.ts';
import { storeConformance } from '@pourover/sync-server/testing';
import type { Write } from '../store.ts';
import { onPostgres } from '../../../testing/on-postgres.ts';
import { shutOut } from '../../../testing/test-postgres.ts';

const A = shopperReplica(uuid(10));
const note = (n: number, text?: string): Write => ({
  collection: 'notes',
  document: noteDoc(n, text ? { text } : {}),
  expect: { kind: 'none' },
});

onPostgres((postgres) => {
  storeConformance('postgres', async () => {
    const database = await postgres.createDatabase();
    const open = () => PostgresStore.open({ url: database.url });
    return { store: await open(), reopen: open, cleanup: database.drop };
  });

  describe('PostgresStore', { timeout: 30_000 }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function database() {
      const created = await postgres.createDatabase();
      cleanups.push(created.drop);
      return created.url;
    }
    async function open(url: string) {
      // Some tests here cut connections on purpose; the stores' reports of it would only be noise.
      const store = await PostgresStore.open({ url, onError: () => {} });
      cleanups.push(() => store.close());
      return store;
    }
    async function sql(url: string, text: string, params: unknown[] = []) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(text, params)).rows;
      } finally {
        await client.end();
      }
    }
    async function until(check: () => boolean | Promise<boolean>, what: string) {
      const deadline = Date.now() + 10_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const listeners = async (url: string) =>
      Number(
        (
          await sql(
            url,
            `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pourover-listen' AND datname = current_database()`,
          )
        )[0]?.n,
      );

    it('wakes a store on another server process once for each commit made through another, and never for a failed one', async () => {
      const url = await database();
      const [one, two] = [await open(url), await open(url)];
      const heard: string[] = [];
      two.onCommit((replica) => heard.push(replica));

      await one.commit(A, [note(1)], 'each');
      await one.commit(A, [note(1)], 'each');
      await one.commit(A, [note(2), { ...note(3), expect: { kind: 'equals', state: noteDoc(9) } }], 'all');
      await one.commit(STORE, [note(4)], 'each');
      // Notifications arrive in commit order: once the marker's has, every earlier one has too.
      await one.commit('marker', [note(5)], 'each');
      await until(() => heard.includes('marker'), 'the marker commit');
      expect(heard).toEqual([A, STORE, 'marker']);
    });

    it('fails only the commit PostgreSQL refuses among commits asked for together', async () => {
      const store = await open(await database());
      // PostgreSQL text cannot hold a NUL character: this commit's statement fails, and with it the transaction it shares.
      const refused: Write = { collection: 'notes', document: { ...noteDoc(2), id: 'nul\u0000id' }, expect: { kind: 'none' } };
      const results = await Promise.allSettled([
        store.commit(A, [note(1)], 'each'),
        store.commit(A, [refused], 'each'),
        store.commit(A, [note(3)], 'each'),
      ]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await store.head(A)).toBe(2);
      expect((await store.changesSince(A, 0, 10)).map((row) => row.document.id)).toEqual([noteDoc(1).id, noteDoc(3).id]);
    });

    it('catches up on commits made while its listening connection was down, and keeps listening after', async () => {
      const url = await database();
      const [one, two] = [await open(url), await open(url)];
      const heard: string[] = [];
      two.onCommit((replica) => heard.push(replica));

      // Cut every store's listening connection, as a database restart or a network blink would.
      await sql(
        url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pourover-listen' AND datname = current_database()`,
      );
      await one.commit(A, [note(1)], 'each');
      await until(() => heard.includes(A), 'the commit made while disconnected');
      await until(async () => (await listeners(url)) === 2, 'both stores listening again');
      await one.commit(STORE, [note(2)], 'each');
      await until(() => heard.includes(STORE), 'a commit after reconnecting');
    });

    it('fails a commit whose connection is cut under it with UNAVAILABLE, stays up, and commits the next on a new connection', async () => {
      const url = await database();
      const store = await open(url);
      await store.commit(A, [note(1)], 'each');
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        // The replica's row locked by another session: the commit waits inside its transaction, on a connection checked out of the pool.
        await admin.query('BEGIN');
        await admin.query('SELECT head FROM replicas WHERE name = $1 FOR UPDATE', [A]);
        // Its outcome is taken at once, so that the refusal is handled whenever it comes.
        const blocked = store.commit(A, [note(2)], 'each').then(
          () => 'committed',
          (error: unknown) => error,
        );
        const waiting = `SELECT pid FROM pg_stat_activity WHERE application_name = 'pourover' AND wait_event_type = 'Lock' AND datname = current_database()`;
        await until(async () => (await sql(url, waiting)).length > 0, 'the commit to wait for the lock');
        await sql(url, `SELECT pg_terminate_backend(pid) FROM (${waiting}) AS w`);
        expect(await blocked).toMatchObject({ code: 'UNAVAILABLE' });
        await admin.query('ROLLBACK');
      } finally {
        await admin.end();
      }
      expect(await store.commit(A, [note(3)], 'each')).toMatchObject({ ok: true, changed: true });
      expect((await store.changesSince(A, 0, 10)).map((row) => row.document.id)).toEqual([noteDoc(1).id, noteDoc(3).id]);
    });

    it('is not ready while it cannot hear other nodes’ commits, and is again once it has caught up', async () => {
      const url = await database();
      const [one, two] = [await open(url), await open(url)];
      const heard: string[] = [];
      two.onCommit((replica) => heard.push(replica));
      // The listening connections are cut and cannot come back; the pools' connections go on.
      const away = await shutOut(url, 'pourover-listen');
      try {
        await until(() => !two.readiness().ready, 'the store to say it is not ready');
        await one.commit(A, [note(1)], 'each');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(two.readiness().ready).toBe(false);
      } finally {
        await away.letIn();
      }
      await until(() => two.readiness().ready, 'the store to be ready again');
      expect(heard).toEqual([A]);
    });

    it('migrates a new database to the latest schema, records it, and does nothing the second time', async () => {
      const url = await database();
      expect(await PostgresStore.migrate(url)).toEqual({ from: 0, to: postgresMigrations.length });
      expect(await PostgresStore.migrate(url)).toEqual({ from: postgresMigrations.length, to: postgresMigrations.length });
      expect(await sql(url, 'SELECT version FROM schema_version ORDER BY version')).toEqual(
        postgresMigrations.map((_, index) => ({ version: index + 1 })),
      );
      const store = await open(url);
      expect(await store.head(A)).toBe(0);
    });

    it('refuses to open a database whose schema is newer than it knows', async () => {
      const url = await database();
      await PostgresStore.migrate(url);
      await sql(url, 'INSERT INTO schema_version (version) VALUES ($1)', [postgresMigrations.length + 1]);
      await expect(PostgresStore.open({ url })).rejects.toThrow(/newer than this server knows/);
    });

    it('migrates once when several servers open a new database at the same time', async () => {
      const url = await database();
      const stores = await Promise.all([open(url), open(url), open(url)]);
      await stores[0]?.commit(A, [note(1)], 'each');
      expect(await stores[2]?.head(A)).toBe(1);
      expect(await sql(url, 'SELECT count(*)::int AS n FROM schema_version')).toEqual([{ n: postgresMigrations.length }]);
    });
  });
});
