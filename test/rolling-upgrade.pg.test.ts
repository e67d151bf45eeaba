import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@pourover/protocol';
import type { SyncStatus } from '@pourover/replica';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { onPostgres } from '@pourover/sync-server/on-postgres';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEXT_RELEASE_SERVER } from './e2e/shop-builds.ts';
import { freePort } from './support/free-port.ts';
import { RawPusher } from './support/raw-pusher.ts';
import { ReplicaProcess } from './support/replica-process.ts';
import { RoundRobinBalancer } from './support/round-robin-balancer.ts';
import { startServerProcess, type LoggedRequest, type ServerProcess } from './support/server-process.ts';
import { shopperId } from './support/shoppers.ts';
import { waitFor } from './support/wait-for.ts';

/** Devices with a replica, each in a process of its own (RxDB allows 13 open collections a process): two per shopper. */
const DEVICES = 4;
/** Light devices that speak the protocol themselves (`RawPusher`): two per shopper, of other shoppers. */
const RAW_DEVICES = 8;
const WRITE_EVERY_MS = 150;
/** Drafts a device writes after it stopped at UPDATE_NEEDED and before its app is updated: they wait, unsent. */
const WHILE_WAITING = 3;
/** The next release speaks the next protocol and serves no older one (`--oldest-protocol`): today's apps must update. */
const NEXT_PROTOCOL = PROTOCOL_VERSION + 1;
const TODAY = '0.1.0+today';
const NEXT = '0.1.0+next';
const STATE_MS = 30_000;
/** Why a node answers UNAVAILABLE while it drains (sync-server/src/server/drain.ts). */
const DRAINING = 'this server node is stopping; try again shortly';

/** One device's run: what it wrote (draft id → note), and its app's status when it was updated. */
type Run = {
  device: Pick<ReplicaProcess, 'addDraft' | 'status' | 'update' | 'awaitInSync'>;
  blessing: string;
  replica: string;
  prefix: string;
  written: Map<string, string>;
  release: 'today' | 'next';
  /** Drafts written while the app stood at update-needed. */
  heldBack: string[];
  atUpdate: SyncStatus | undefined;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isPush = (request: LoggedRequest) => request.path.includes('sync.push');

async function draftsOf(url: string, run: Run): Promise<Map<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; body: string }>(
      `SELECT id, body FROM documents WHERE replica = $1 AND collection = 'draftOrders' AND NOT deleted AND id LIKE $2`,
      [run.replica, `${run.prefix}%`],
    );
    return new Map(rows.map((row) => [row.id, String((JSON.parse(row.body) as { note: unknown }).note)]));
  } finally {
    await client.end();
  }
}

/**
 * The rolling upgrade of docs/operations.md, on PostgreSQL: two nodes of today's release behind a balancer without
 * affinity, devices (replicas, each in a process of its own, and light ones speaking the protocol themselves) writing a
 * new draft every WRITE_EVERY_MS; node B stopped (SIGTERM) and started as the next release, then node A killed
 * (SIGKILL) and started likewise. The next release is today's server run through the module redirects of
 * test/e2e/fixtures/upgrade (the protocol one on, the profile and draft schemas one version on), serving only its own
 * protocol; a device's update is its app closed and opened again over the same database, speaking the next protocol.
 */
onPostgres((postgres) => {
  describe('a rolling upgrade of two server nodes on one PostgreSQL database while devices push', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-rolling-'));
    const cleanups: (() => Promise<unknown>)[] = [];
    const started: ServerProcess[] = [];
    let databaseUrl = '';
    let start: (name: string, options?: { port?: number; next?: boolean }) => Promise<ServerProcess>;
    let a: ServerProcess;
    let b: ServerProcess;
    let runs: Run[] = [];

    beforeAll(async () => {
      const database = await postgres.createDatabase();
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
      const keyFile = join(dir, 'server-key.pem');
      const shared = ['--store', database.url, '--key-file', keyFile];
      start = async (name, options = {}) => {
        const node = options.next
          ? await startServerProcess(
              join(dir, name),
              options.port,
              [...shared, '--oldest-protocol', String(NEXT_PROTOCOL)],
              NEXT_RELEASE_SERVER,
            )
          : await startServerProcess(join(dir, name), options.port, shared);
        started.push(node);
        cleanups.push(() => node.stop());
        return node;
      };
      // Today's release on both nodes, behind a balancer that sends each request to the next node. Node A starts first, as
      // it writes the key file both sign with; the devices open while node B starts.
      a = await start('node-a');
      const bPort = await freePort();
      const balancer = await RoundRobinBalancer.open([a.port, bPort]);
      cleanups.push(() => balancer.close());
      const starting = start('node-b', { port: bPort });
      const key = loadServerKey(keyFile);
      const run = (d: number, device: Run['device'], blessing: string): Run => ({
        device,
        blessing,
        replica: blessing.slice(0, blessing.lastIndexOf(':')),
        prefix: `d${d.toString(16).padStart(7, '0')}-0000-4000-8000-`,
        written: new Map(),
        release: 'today',
        heldBack: [],
        atUpdate: undefined,
      });
      const blessed = (n: number, device: string) => {
        const blessing = `bluebottle:users:${shopperId(n)}:${device}`;
        return { blessing, token: signBlessing(key, { name: blessing, ttlSeconds: 3600 }) };
      };
      const withReplica = await Promise.all(
        Array.from({ length: DEVICES }, async (_, d) => {
          const { blessing, token } = blessed(20 + Math.floor(d / 2), `upgrade-${d}`);
          const device = await ReplicaProcess.open(balancer, `upgrade-${d}`, { token, release: { appBuild: TODAY } });
          cleanups.push(() => device.close());
          return run(d, device, blessing);
        }),
      );
      const raw = Array.from({ length: RAW_DEVICES }, (_, r) => {
        const { blessing, token } = blessed(30 + Math.floor(r / 2), `raw-${r}`);
        const device = new RawPusher({ url: balancer.url, token, release: { appBuild: TODAY } });
        cleanups.push(() => device.close());
        return run(DEVICES + r, device, blessing);
      });
      runs = [...withReplica, ...raw];
      b = await starting;
      await Promise.all(runs.map((run) => run.device.awaitInSync()));
    }, 90_000);

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    });

    it(
      'loses no write and refuses none but with UPDATE_NEEDED: devices stop at it, keep writing, and once updated send what waited',
      { timeout: 90_000 },
      async () => {
        // Each device writes a new draft every WRITE_EVERY_MS; at UPDATE_NEEDED it writes WHILE_WAITING more, then is updated.
        let writing = true;
        const drive = async (run: Run) => {
          for (let n = 1; writing; n += 1) {
            const id = `${run.prefix}${n.toString(16).padStart(12, '0')}`;
            const note = `${run.blessing} write ${n}`;
            const waiting = run.release === 'today' && (await run.device.status()).state === 'update-needed';
            await run.device.addDraft(id, note);
            run.written.set(id, note);
            if (waiting) run.heldBack.push(id);
            if (run.heldBack.length === WHILE_WAITING && run.release === 'today') {
              run.atUpdate = await run.device.status();
              await run.device.update({ protocol: NEXT_PROTOCOL, appBuild: NEXT });
              run.release = 'next';
            }
            await sleep(WRITE_EVERY_MS);
          }
        };
        const drivers = Promise.all(runs.map(drive));

        const pushedThrough = (node: ServerProcess, run: Run, options: { from?: number; app?: string } = {}) =>
          node.requests
            .slice(options.from ?? 0)
            .some(
              (request) =>
                request.blessing === run.blessing &&
                isPush(request) &&
                request.status === 200 &&
                (options.app === undefined || request.app === options.app),
            );
        // Waits for a state every device must reach; how long it took goes to the summary (printed, never asserted).
        const took: string[] = [];
        const everyDevice = async (what: string, check: (run: Run) => boolean) => {
          const since = performance.now();
          await waitFor(`every device ${what}`, () => runs.every(check), STATE_MS).catch((error: Error) => {
            const behind = runs.filter((run) => !check(run)).map((run) => `${run.blessing} (${run.release})`);
            throw new Error(`${error.message}; still waiting: ${behind.join(', ')}`);
          });
          took.push(`${what} ${((performance.now() - since) / 1000).toFixed(1)} s`);
        };

        try {
          await everyDevice('to push through both nodes', (run) => pushedThrough(a, run) && pushedThrough(b, run));

          // Node B stops (SIGTERM) and comes back as the next release: today's apps sent to it are told to update.
          await b.stop();
          const onlyA = a.requests.length;
          await everyDevice('to push through node A alone', (run) => pushedThrough(a, run, { from: onlyA }));
          const nextB = await start('node-b', { port: b.port, next: true });
          await everyDevice('to be updated and push through the next release', (run) => pushedThrough(nextB, run, { app: NEXT }));

          // Node A is killed (SIGKILL) and comes back as the next release.
          await a.kill();
          const onlyB = nextB.requests.length;
          await everyDevice('to push through node B alone', (run) => pushedThrough(nextB, run, { from: onlyB }));
          const nextA = await start('node-a', { port: a.port, next: true });
          await everyDevice('to push through the upgraded node A', (run) => pushedThrough(nextA, run, { app: NEXT }));
        } finally {
          writing = false;
          await drivers;
        }
        await Promise.all(runs.map((run) => run.device.awaitInSync()));

        // Every device stopped at UPDATE_NEEDED, holding what it wrote since, and its updated app sent it.
        for (const run of runs) {
          expect(run.release, run.blessing).toBe('next');
          expect(run.atUpdate?.state, run.blessing).toBe('update-needed');
          expect(run.atUpdate?.unsent, run.blessing).toBeGreaterThanOrEqual(WHILE_WAITING);
          expect(await run.device.status(), run.blessing).toMatchObject({ unsent: 0 });
        }
        // Every write of every device is on the server, with what it wrote.
        for (const run of runs) {
          const stored = await draftsOf(databaseUrl, run);
          expect(stored.size, run.blessing).toBe(run.written.size);
          expect(Object.fromEntries(stored), run.blessing).toEqual(Object.fromEntries(run.written));
        }
        // No push was refused but today's app by the next release (UPDATE_NEEDED), or the next app by today's node or any app by
        // the node draining, asked to come back.
        const pushes = started.flatMap((node) => node.requests.filter(isPush).map((request) => ({ ...request, node })));
        const refused = pushes.filter((push) => push.status !== 200);
        const next = (node: ServerProcess) => node !== a && node !== b;
        const expected = refused.filter(
          (push) =>
            (push.status === 426 && push.error === 'UPDATE_NEEDED' && push.protocol === PROTOCOL_VERSION && next(push.node)) ||
            (push.status === 503 && push.error === 'UNAVAILABLE' && push.protocol === NEXT_PROTOCOL && !next(push.node)) ||
            // A request that reached node B as its drain began (SIGTERM) is asked to come back, and goes to node A.
            (push.status === 503 && push.error === 'UNAVAILABLE' && push.reason === DRAINING && push.node === b),
        );
        expect(refused.filter((push) => !expected.includes(push)).map(({ node, ...push }) => ({ node: node.port, ...push }))).toEqual([]);
        expect(refused.some((push) => push.status === 426)).toBe(true);
        console.info(
          `rolling upgrade: ${runs.reduce((sum, run) => sum + run.written.size, 0)} drafts written by ${DEVICES} devices and ${RAW_DEVICES} light ones; ` +
            `${pushes.length} pushes logged, ${refused.filter((push) => push.status === 426).length} answered UPDATE_NEEDED, ` +
            `${refused.filter((push) => push.status === 503).length} UNAVAILABLE ` +
            `(${refused.filter((push) => push.reason === DRAINING).length} by node B draining); every device ${took.join(', ')}`,
        );
      },
    );
  });
});
