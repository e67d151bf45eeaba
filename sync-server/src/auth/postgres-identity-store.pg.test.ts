import { PouroverError } from '@pourover/protocol';
import { shopperReplica } from '@pourover/schemas';
import { Client } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { onPostgres } from '../../testing/on-postgres.ts';
import { shutOut } from '../../testing/test-postgres.ts';
import { identityConformance } from '@pourover/sync-server/testing';
import { PostgresIdentityStore } from './postgres-identity-store.ts';
import { ephemeralServerKey, publicKeyPem } from './server-key.ts';

onPostgres((postgres) => {
  const serverPublicKey = publicKeyPem(ephemeralServerKey());

  identityConformance('postgres', async () => {
    const database = await postgres.createDatabase();
    const open = () => PostgresIdentityStore.open({ url: database.url, serverPublicKey });
    return { identity: await open(), reopen: open, cleanup: database.drop };
  });

  describe('identities shared by server nodes on one database', { timeout: 30_000 }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    async function database() {
      const created = await postgres.createDatabase();
      cleanups.push(created.drop);
      return created.url;
    }
    async function node(url: string, key = serverPublicKey) {
      const store = await PostgresIdentityStore.open({ url, serverPublicKey: key, onError: () => {} });
      cleanups.push(() => store.close());
      return store;
    }
    async function within(ms: number, check: () => boolean, what: string) {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const phone = `${shopperReplica('00000000-0000-4000-8000-000000000001')}:phone`;
    /** What a read of the node's memory answers, or the code it refuses with. */
    const answerOf = <T>(read: () => T): T | string => {
      try {
        return read();
      } catch (error) {
        if (error instanceof PouroverError) return error.code;
        throw error;
      }
    };

    it('tells every node of a revocation made through one within a second, and the device can’t register again through any', async () => {
      const url = await database();
      const [one, two] = [await node(url), await node(url)];
      const heard: string[] = [];
      two.onRevoked((name) => heard.push(name));
      await one.registerDevice({ name: phone, shopperId: '00000000-0000-4000-8000-000000000001', publicKey: null }, new Date());
      expect(two.isRevoked(phone)).toBe(false);
      await one.revoke(phone, new Date());
      await within(1_000, () => two.isRevoked(phone) && heard.includes(phone), 'the other node learning of the revocation');
      expect(heard).toEqual([phone]);
      expect(
        await two.registerDevice({ name: phone, shopperId: '00000000-0000-4000-8000-000000000001', publicKey: null }, new Date()),
      ).toBe('revoked');
    });

    it('shows every node a syncgroup spec set through one, and refuses the second of two admins writing the same version on two nodes', async () => {
      const url = await database();
      const [one, two] = [await node(url), await node(url)];
      const members = [{ pattern: '$owner', grants: ['read', 'admin'] as const }];
      expect(await one.setSyncgroup('r', 'user', members, 0)).toBe(1);
      await within(1_000, () => two.syncgroup('r', 'user')?.version === 1, 'the other node reading the new spec');
      expect(two.syncgroup('r', 'user')).toEqual({ members, version: 1 });
      expect(await two.setSyncgroup('r', 'user', members, 0)).toBeUndefined();
    });

    it('learns of revocations made while its listening connection was down once it is back', async () => {
      const url = await database();
      const [one, two] = [await node(url), await node(url)];
      const heard: string[] = [];
      two.onRevoked((name) => heard.push(name));
      await one.registerDevice({ name: phone, shopperId: '00000000-0000-4000-8000-000000000001', publicKey: null }, new Date());
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        // Cut the listening connections; the revocation's notification is sent while they are down.
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pourover-listen' AND datname = current_database()`,
        );
        await admin.query(`UPDATE devices SET revoked_at = now() WHERE name = $1`, [phone]);
      } finally {
        await admin.end();
      }
      await within(10_000, () => answerOf(() => two.isRevoked(phone)) === true, 'the revocation to be read again after reconnecting');
      expect(heard).toEqual([phone]);
    });

    it('refuses to answer from memory while it cannot hear of changes, and answers again only once it has read them', async () => {
      const url = await database();
      const [one, two] = [await node(url), await node(url)];
      await one.registerDevice({ name: phone, shopperId: '00000000-0000-4000-8000-000000000001', publicKey: null }, new Date());
      const admin = new Client({ connectionString: url });
      await admin.connect();
      const answers = new Set<unknown>();
      // The listening connections are cut and cannot come back; the admin's, opened before, goes on.
      const away = await shutOut(url, 'pourover-listen');
      try {
        await within(2_000, () => !two.readiness().ready, 'the node to know its view may be stale');
        await admin.query(`UPDATE devices SET revoked_at = now() WHERE name = $1`, [phone]);
        const until = Date.now() + 300;
        while (Date.now() < until) {
          answers.add(answerOf(() => two.isRevoked(phone)));
          answers.add(answerOf(() => two.syncgroup('r', 'user')?.version ?? 0));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        expect([...answers]).toEqual(['UNAVAILABLE']);
        await away.letIn();
        await within(
          2_000,
          () => (answers.add(answerOf(() => two.isRevoked(phone))), two.readiness().ready),
          'the node to read revocations again',
        );
      } finally {
        await away.letIn();
        await admin.end();
      }
      expect(two.isRevoked(phone)).toBe(true);
      expect([...answers].sort()).toEqual(['UNAVAILABLE', true].sort());
    });

    it('catches up from scratch, refusing meanwhile, when it cannot read a spec another node announced', async () => {
      const url = await database();
      const [one, two] = [await node(url), await node(url)];
      const members = [{ pattern: '$owner', grants: ['read', 'admin'] as const }];
      const admin = new Client({ connectionString: url });
      await admin.connect();
      try {
        // The announcement arrives while the specs cannot be read.
        await admin.query('ALTER TABLE syncgroups RENAME TO syncgroups_away');
        await admin.query(
          `SELECT pg_notify('pourover_identity', json_build_object('kind', 'syncgroup', 'replica', 'r', 'collection', 'user')::text)`,
        );
        await within(2_000, () => !two.readiness().ready, 'the node to stop answering from memory');
        expect(answerOf(() => two.syncgroup('r', 'user'))).toBe('UNAVAILABLE');
        await admin.query('ALTER TABLE syncgroups_away RENAME TO syncgroups');
      } finally {
        await admin.end();
      }
      expect(await one.setSyncgroup('r', 'user', members, 0)).toBe(1);
      await within(2_000, () => two.readiness().ready && two.syncgroup('r', 'user')?.version === 1, 'the node to read the specs again');
    });

    it('refuses a node that signs with another key than the nodes already on the database', async () => {
      const url = await database();
      await node(url);
      await expect(PostgresIdentityStore.open({ url, serverPublicKey: publicKeyPem(ephemeralServerKey()) })).rejects.toThrow(/same key/);
    });
  });
});
