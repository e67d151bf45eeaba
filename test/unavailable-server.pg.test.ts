import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPostgres } from '@pourover/sync-server/on-postgres';
import { shutOut } from '@pourover/sync-server/test-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailoverLink } from './support/failover-link.ts';
import { ReplicaProcess } from './support/replica-process.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

/** Long enough for several refused attempts of each push and stream. */
const OUTAGE_MS = 6_000;
const DRAFTS = 5;
const draftId = (n: number) => `a0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

onPostgres((postgres) => {
  describe('devices of server nodes that answer UNAVAILABLE', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-unavailable-'));
    let database: { url: string; drop(): Promise<void> };
    const nodes: ServerProcess[] = [];
    let link: FailoverLink | undefined;
    const devices: ReplicaProcess[] = [];

    beforeAll(async () => {
      database = await postgres.createDatabase();
      for (const n of [1, 2])
        nodes.push(
          await startServerProcess(join(dir, `node-${n}`), undefined, ['--store', database.url, '--key-file', join(dir, 'server-key.pem')]),
        );
      const [one, two] = nodes as [ServerProcess, ServerProcess];
      // The writer reaches node 1; the reader node 2 while it lives, then node 1, as a balancer would send it.
      link = await FailoverLink.open([two.port, one.port]);
      devices.push(await ReplicaProcess.open(one, 'writer'), await ReplicaProcess.open(link, 'reader'));
      await Promise.all(devices.map((device) => device.awaitInSync()));
    }, 60_000);

    afterAll(async () => {
      await Promise.all(devices.map((device) => device.close()));
      await link?.close();
      await Promise.all(nodes.map((node) => node.stop()));
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keep every write made while refused, and have it on the other device within seconds of the node serving again', async () => {
      const [writer, reader] = devices as [ReplicaProcess, ReplicaProcess];
      const [node, other] = nodes as [ServerProcess, ServerProcess];
      const logged = node.requests.length;
      // Every session of the nodes is cut and none can come back: they refuse every device request until let in again.
      const away = await shutOut(database.url, 'pourover');
      try {
        await waitFor('the node to say it is not ready', async () => (await fetch(`${node.url}/readyz`)).status === 503);
        // The reader's stream moves to node 1, which refuses it for as long as this lasts.
        await other.kill();
        for (let n = 1; n <= DRAFTS; n += 1) await writer.setNote(draftId(n), `written while refused ${n}`);
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      } finally {
        await away.letIn();
      }
      await waitFor('the node to be ready again', async () => (await fetch(`${node.url}/readyz`)).status === 200);
      const ready = performance.now();
      await waitFor(
        'every draft written while refused to reach the other device',
        async () => {
          const notes = await reader.notes();
          return Array.from({ length: DRAFTS }, (_, n) => notes[draftId(n + 1)]).every(
            (note, n) => note === `written while refused ${n + 1}`,
          );
        },
        30_000,
      );
      const seconds = (performance.now() - ready) / 1000;
      // A refused push waits the server's Retry-After (1 s, and up to half again); a stream refused with UNAVAILABLE
      // is opened again by its EventSource (3 s), from its last event.
      expect(seconds).toBeLessThan(6);
      const during = node.requests.slice(logged);
      expect(during.filter((request) => request.status === 503 && request.path === '/trpc/sync.push').length).toBeGreaterThan(0);
      expect(during.filter((request) => request.status >= 500 && request.status !== 503)).toEqual([]);
    });
  });
});
