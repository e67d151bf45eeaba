import { join } from 'node:path';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { faultReport, type FaultKind, type FaultReport, type ReadyzSample } from './fault-report.ts';
import { ReplicatedPostgres } from './replicated-postgres.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { shopperId } from './shoppers.ts';
import { SteadyDevice } from './steady-device.ts';
import { waitFor } from './wait-for.ts';

const DATABASE = 'pourover';
/** How long the database stays down between `stop -m immediate` and the start that follows, and how long a pause lasts. */
const CRASH_DOWN_MS = 2_000;
const PAUSE_MS = 10_000;
const READYZ_EVERY_MS = 50;
const PROBE_EVERY_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two server nodes (the real CLI) on a PostgreSQL primary with a
 * synchronous standby, devices pushing through one node at a steady pace
 * and following their streams on the other, and a poller of each node's
 * `/readyz`; `fault` does one fault to the database and reports what the
 * devices and pollers saw. Shared by the fault test and the figures.
 */
export class FaultRig {
  readonly cluster: ReplicatedPostgres;
  readonly nodes: ServerProcess[];
  readonly devices: SteadyDevice[];
  readonly keyFile: string;
  readonly #readyz: ReadyzSample[][];
  #polling = true;
  readonly #pollers: Promise<void>[];

  private constructor(parts: { cluster: ReplicatedPostgres; nodes: ServerProcess[]; devices: SteadyDevice[]; keyFile: string }) {
    this.cluster = parts.cluster;
    this.nodes = parts.nodes;
    this.devices = parts.devices;
    this.keyFile = parts.keyFile;
    this.#readyz = parts.nodes.map(() => []);
    this.#pollers = parts.nodes.map((node, n) => this.#pollReadyz(node, this.#readyz[n] as ReadyzSample[]));
  }

  /** Starts the database, two nodes and `devices` devices (of five shoppers), each pushing a new draft every `everyMs`. */
  static async start(options: { dir: string; devices: number; everyMs: number }): Promise<FaultRig> {
    const cluster = await ReplicatedPostgres.start(DATABASE);
    const nodes: ServerProcess[] = [];
    try {
      const keyFile = join(options.dir, 'server-key.pem');
      const args = ['--store', cluster.nodeUrl(DATABASE), '--key-file', keyFile];
      for (const n of [1, 2]) nodes.push(await startServerProcess(join(options.dir, `node-${n}`), undefined, args));
      const key = loadServerKey(keyFile);
      const devices = Array.from({ length: options.devices }, (_, n) => {
        const name = `bluebottle:users:${shopperId(1 + (n % 5))}:steady-${n}`;
        const [push, stream] = n % 2 === 0 ? [nodes[0], nodes[1]] : [nodes[1], nodes[0]];
        const device = new SteadyDevice({
          name,
          token: signBlessing(key, { name, ttlSeconds: 3600 }),
          pushUrl: (push as ServerProcess).url,
        });
        device.start({
          streamUrl: (stream as ServerProcess).url,
          everyMs: options.everyMs,
          prefix: `d${n.toString(16).padStart(7, '0')}-0000-4000-8000`,
        });
        return device;
      });
      await Promise.all(devices.map((device) => device.listening));
      return new FaultRig({ cluster, nodes, devices, keyFile });
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      await cluster.stop();
      throw error;
    }
  }

  /** The database's URL on its primary of now, for the test's own reads. */
  get databaseUrl(): string {
    return this.cluster.primaryUrl(DATABASE);
  }

  /** Whether each node's process is still running. */
  alive(): boolean[] {
    return this.nodes.map((node) => node.running);
  }

  /**
   * Does one fault; once the database answers again runs `afterAnswer` (in
   * the recovery, not before it), waits until every device has a push
   * acknowledged after it, and reports.
   */
  async fault(kind: FaultKind, options: { afterAnswer?: (answeredAt: number) => Promise<void> } = {}): Promise<FaultReport> {
    const startedAt = performance.now();
    const seen = { down: false, answeredAt: 0, probing: true };
    const probe = (async () => {
      while (seen.probing) {
        const answering = await this.cluster.answering();
        if (!answering) seen.down = true;
        else if (seen.down) return void (seen.answeredAt = performance.now());
        await sleep(PROBE_EVERY_MS);
      }
    })();
    await this.#inflict(kind);
    // A database never seen down (its sessions ended, or a restart quicker than a probe) answers again as the fault ends.
    if (!seen.down) seen.answeredAt = performance.now();
    await waitFor(`the database to answer after ${kind}`, () => seen.answeredAt > 0, 30_000).finally(() => (seen.probing = false));
    await probe;
    const { answeredAt } = seen;
    await options.afterAnswer?.(answeredAt);
    const since = answeredAt;
    const waiting = () => this.devices.filter((device) => ![...device.acknowledged.values()].some((at) => at > since));
    await waitFor(`every device to have a push acknowledged after ${kind}`, () => waiting().length === 0, 30_000).catch(
      async (error: Error) => {
        throw new Error(`${error.message}; ${await this.#state(waiting())}`);
      },
    );
    // Pushes already refused when the first were acknowledged again come back within their Retry-After (up to 1.5 s).
    await sleep(1_500);
    return faultReport({
      kind,
      startedAt,
      answeredAt,
      pushesByNode: this.nodes.map((_, n) => this.devices.filter((_device, d) => d % 2 === n).flatMap((device) => device.attempts)),
      readyzByNode: this.#readyz,
    });
  }

  /** Waits until every acknowledged draft arrived on its device's stream; the drafts acknowledged and how often each arrived. */
  async delivered(): Promise<{ acknowledged: string[]; arrivals: Map<string, number> }> {
    await waitFor(
      'every acknowledged draft on its device’s stream',
      () => this.devices.every((device) => [...device.acknowledged.keys()].every((id) => device.arrivals.has(id))),
      30_000,
    );
    const acknowledged = this.devices.flatMap((device) => [...device.acknowledged.keys()]);
    const arrivals = new Map(
      this.devices.flatMap((device) => [...device.acknowledged.keys()].map((id) => [id, device.arrivals.get(id) ?? 0] as const)),
    );
    return { acknowledged, arrivals };
  }

  async stop(): Promise<void> {
    await Promise.all(this.devices.map((device) => device.stop()));
    this.#polling = false;
    await Promise.all(this.#pollers);
    await Promise.all(this.nodes.map((node) => node.stop()));
    await this.cluster.stop();
  }

  /** What the nodes and the devices still waiting say, for a failure's message. */
  async #state(waiting: readonly SteadyDevice[]): Promise<string> {
    const now = performance.now();
    const nodes = await Promise.all(
      this.nodes.map(async (node) => {
        const answer = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
          (response) => response.text(),
          String,
        );
        return `${node.url} ${node.running ? 'running' : 'exited'}: ${answer}`;
      }),
    );
    const devices = waiting.map((device) => {
      const last = device.attempts.slice(-3).map((attempt) => `${attempt.status} sent ${Math.round(now - attempt.sentAt)} ms ago`);
      return `${device.name}: ${device.attempts.length} pushes, the last ${last.join(', ')}`;
    });
    const replication = await this.cluster
      .sql('SELECT application_name, state, sync_state FROM pg_stat_replication')
      .then(JSON.stringify, String);
    return `nodes: ${nodes.join('; ')}; devices waiting: ${devices.join('; ')}; replication: ${replication}\n${this.cluster.logs()}`;
  }

  async #inflict(kind: FaultKind) {
    switch (kind) {
      case 'restart':
        return this.cluster.restartFast();
      case 'crash':
        await this.cluster.crash();
        await sleep(CRASH_DOWN_MS);
        return this.cluster.startPrimary();
      case 'terminate':
        await this.cluster.terminateSessions('pourover');
        return;
      case 'pause-postmaster':
      case 'pause-server': {
        const paused = this.cluster.pause({ sessions: kind === 'pause-server' });
        await sleep(PAUSE_MS);
        return paused.resume();
      }
      case 'failover':
        return this.cluster.failover();
    }
  }

  async #pollReadyz(node: ServerProcess, samples: ReadyzSample[]) {
    while (this.#polling) {
      const status = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      );
      samples.push({ at: performance.now(), status });
      await sleep(READYZ_EVERY_MS);
    }
  }
}
