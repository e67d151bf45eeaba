import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { onPostgres } from '@pourover/sync-server/on-postgres';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LightDevice } from './support/light-device.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { shopperId } from './support/shoppers.ts';
import { waitFor } from './support/wait-for.ts';

const DEVICES = 50;
const SHOPPERS = 5;
const PUSHES_EACH = 20;
const replicaOf = (device: number) => `bluebottle:users:${shopperId(1 + (device % SHOPPERS))}`;
let drafts = 0;
const newDraftId = () => `f0000000-0000-4000-8000-${(drafts += 1).toString(16).padStart(12, '0')}`;

onPostgres((postgres) => {
  describe('50 devices pushing through two server nodes at once', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-fifty-'));
    let database: { url: string; drop(): Promise<void> };
    const nodes: ServerProcess[] = [];
    const devices: LightDevice[] = [];
    /** Draft ids whose push was acknowledged, by replica. */
    const acknowledged = new Map<string, Set<string>>();

    async function push(device: number, id: string) {
      await devices[device]?.pushDraft(id);
      const replica = replicaOf(device);
      acknowledged.set(replica, (acknowledged.get(replica) ?? new Set()).add(id));
    }

    /** Every stream holds every acknowledged draft of its replica, and its checkpoints only went forward. */
    async function everyStreamHasEverything() {
      await waitFor('every stream to receive every acknowledged draft of its shopper', () =>
        devices.every((device, n) => [...(acknowledged.get(replicaOf(n)) ?? [])].every((id) => device.arrived.has(id))),
      );
      devices.forEach((device, n) => {
        expect(device.errors, device.name).toEqual([]);
        expect([...device.arrived.keys()].sort(), device.name).toEqual([...(acknowledged.get(replicaOf(n)) ?? [])].sort());
        expect(device.checkpoints, device.name).toEqual([...device.checkpoints].sort((a, b) => a - b));
      });
    }

    beforeAll(async () => {
      database = await postgres.createDatabase();
      const keyFile = join(dir, 'server-key.pem');
      for (const n of [1, 2])
        nodes.push(await startServerProcess(join(dir, `node-${n}`), undefined, ['--store', database.url, '--key-file', keyFile]));
      const key = loadServerKey(keyFile);
      for (let n = 0; n < DEVICES; n += 1) {
        // Each device streams from one node and pushes through the other: every change it sees crossed nodes.
        const [streamNode, pushNode] = n % 2 ? [nodes[0], nodes[1]] : [nodes[1], nodes[0]];
        const name = `${replicaOf(n)}:light-${n}`;
        devices.push(
          new LightDevice({
            name,
            token: signBlessing(key, { name, ttlSeconds: 3600 }),
            streamUrl: streamNode!.url,
            pushUrl: pushNode!.url,
          }),
        );
      }
      await Promise.all(devices.map((device) => device.listen()));
    }, 60_000);

    afterAll(async () => {
      for (const device of devices) device.close();
      await Promise.all(nodes.map((node) => node.stop()));
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers every acknowledged change to every live stream of its shopper, none skipped, in order', async () => {
      await Promise.all(
        devices.map(async (_, n) => {
          for (let i = 0; i < PUSHES_EACH; i += 1) await push(n, newDraftId());
        }),
      );
      await everyStreamHasEverything();
      expect([...acknowledged.values()].reduce((sum, ids) => sum + ids.size, 0)).toBe(DEVICES * PUSHES_EACH);
    });

    it('skips no change when a transaction holds its sequence number open while later pushes arrive through both nodes', async () => {
      const held = replicaOf(0);
      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      try {
        const heldId = newDraftId();
        const headBefore = Number((await admin.query<{ head: string }>('SELECT head FROM replicas WHERE name = $1', [held])).rows[0]?.head);
        // An uncommitted row with the draft's key: the push below takes its sequence number and commit number, then waits on it.
        await admin.query('BEGIN');
        await admin.query(
          `INSERT INTO documents (replica, collection, id, body, deleted, seq, updated_at, commit_no) VALUES ($1, 'draftOrders', $2, '{}', false, -1, now(), -1)`,
          [held, heldId],
        );
        const heldPush = push(0, heldId);
        await waitFor('the push to wait inside its transaction', async () => {
          // Inside a transaction the activity view is a snapshot taken once; take a fresh one each time.
          await admin.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pourover' AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO documents%'`,
          );
          return (rows[0]?.n ?? 0) > 0;
        });
        // Later pushes from every other device, through both nodes, while the first is still open.
        const later = devices.slice(1).map((_, n) => push(n + 1, newDraftId()));
        await new Promise((resolve) => setTimeout(resolve, 500));
        devices.forEach((device, n) => {
          if (replicaOf(n) !== held) return;
          expect(device.arrived.has(heldId), device.name).toBe(false);
          expect(Math.max(0, ...device.checkpoints), device.name).toBeLessThanOrEqual(headBefore);
        });
        await admin.query('ROLLBACK');
        await Promise.all([heldPush, ...later]);
      } finally {
        await admin.end();
      }
      await everyStreamHasEverything();
    });
  });
});
