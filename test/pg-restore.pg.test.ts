import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onPostgres } from '@pourover/sync-server/on-postgres';
import { postgresBinaries } from '@pourover/sync-server/test-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { runServerCommand, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper } from './support/shoppers.ts';

type Pulled = { documents: { id: string; name?: string }[]; checkpoint: { seq: number; epoch: string }; reset?: true };

const run = promisify(execFile);

onPostgres((postgres) => {
  describe('a PostgreSQL database restored with pg_dump and pg_restore, as docs/deploy.md tells', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-pg-restore-'));
    const servers: ServerProcess[] = [];
    const databases: { drop(): Promise<void> }[] = [];
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await Promise.all(databases.map((database) => database.drop()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('comes back with the dump’s documents and a new epoch, so a device’s later checkpoint starts again', async () => {
      const bin = postgresBinaries();
      if (!bin) throw new Error('pg_dump and pg_restore are needed: apt-get install postgresql');
      const original = await postgres.createDatabase();
      databases.push(original);
      // The second node signs with the first's key, from its data folder, as nodes of one database must.
      const keyFile = join(dir, 'node', 'server-key.pem');
      const first = await startServerProcess(join(dir, 'node'), undefined, ['--store', original.url]);
      servers.push(first);
      const shopper = await createShopper(first, 1, 'tok_visa');
      const pulled = async () => (await shopper.client.sync.pull.query({ collection: 'user', checkpoint: null, limit: 10 })) as Pulled;
      const rename = async (name: string) => {
        const [current] = (await pulled()).documents;
        await shopper.client.sync.push.mutate({
          collection: 'user',
          rows: [{ assumedMasterState: { ...current!, _deleted: false }, newDocumentState: { ...current!, name, _deleted: false } }],
        });
      };

      await rename('In the dump');
      const dump = join(dir, 'pourover.dump');
      await run(join(bin, 'pg_dump'), ['--format=custom', '--file', dump, original.url]);
      await rename('After the dump');
      const later = await pulled();
      await first.stop();

      const restored = await postgres.createDatabase();
      databases.push(restored);
      await run(join(bin, 'pg_restore'), ['--no-owner', '--dbname', restored.url, dump]);
      const renewed = await runServerCommand(['new-epoch', '--store', restored.url]);
      expect(renewed.stderr).toBe('');
      expect(renewed.code).toBe(0);
      const epoch = /new epoch is ([0-9a-f]{16})/.exec(renewed.stdout)?.[1];
      expect(epoch).toBeDefined();

      const second = await startServerProcess(join(dir, 'node-2'), undefined, ['--store', restored.url, '--key-file', keyFile]);
      servers.push(second);
      const { createSyncClient } = await import('@pourover/sync-client');
      const client = createSyncClient({ url: second.url, token: () => shopper.token });
      const answer = (await client.sync.pull.query({ collection: 'user', checkpoint: later.checkpoint, limit: 10 })) as Pulled;
      expect(answer.reset).toBe(true);
      expect(answer.checkpoint.epoch).toBe(epoch);
      expect(answer.checkpoint.epoch).not.toBe(later.checkpoint.epoch);
      expect(answer.documents.map((document) => document.name)).toEqual(['In the dump']);

      // A device that knows no epochs still hears of every write after the restore: positions moved past any it holds.
      const [restoredProfile] = answer.documents;
      await client.sync.push.mutate({
        collection: 'user',
        rows: [
          {
            assumedMasterState: { ...restoredProfile!, _deleted: false },
            newDocumentState: { ...restoredProfile!, name: 'After the restore', _deleted: false },
          },
        ],
      });
      const unaware = (await client.sync.pull.query({
        collection: 'user',
        checkpoint: { seq: later.checkpoint.seq },
        limit: 10,
      })) as Pulled;
      expect(unaware.documents.map((document) => document.name)).toEqual(['After the restore']);
    });
  });
});
