import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresBinaries } from '@pourover/sync-server/test-postgres';
import { Client } from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

type Server = { name: string; port: number; data: string };

/**
 * A PostgreSQL primary with a streaming standby that it replicates to
 * synchronously (a commit is acknowledged once the standby has its WAL), as
 * throwaway clusters of this test's own, so that a test may restart, crash,
 * pause and fail them over without touching the tests' shared server. They
 * belong to the `postgres` user when the tests run as root (PostgreSQL
 * refuses root), as `scripts/test-all.sh` and `test-postgres.ts` do it.
 */
export class ReplicatedPostgres {
  readonly #dir: string;
  readonly #bin: string;
  readonly #owner: string;
  #primary: Server;
  #standby: Server | undefined;
  #stopped = false;
  #atExit: (() => void) | undefined;

  private constructor(dir: string, bin: string, owner: string, primary: Server, standby: Server) {
    this.#dir = dir;
    this.#bin = bin;
    this.#owner = owner;
    this.#primary = primary;
    this.#standby = standby;
  }

  /** Starts both servers, waits until the standby replicates synchronously, and creates `database`. */
  static async start(database: string): Promise<ReplicatedPostgres> {
    const bin = postgresBinaries();
    if (!bin) throw new Error('PostgreSQL is required: install it (apt-get install postgresql)');
    const dir = mkdtempSync(join(tmpdir(), 'pourover-replicated-'));
    const owner = userInfo().uid === 0 ? 'postgres' : userInfo().username;
    if (userInfo().uid === 0) await run('chown', [owner, dir]);
    const primary: Server = { name: 'primary', port: await freePort(), data: join(dir, 'primary') };
    const standby: Server = { name: 'standby', port: await freePort(), data: join(dir, 'standby') };
    const cluster = new ReplicatedPostgres(dir, bin, owner, primary, standby);
    try {
      await cluster.#as('initdb', ['-D', primary.data, '-U', owner, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
      await cluster.#start(primary);
      await cluster.#as('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        owner,
        '-D',
        standby.data,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ]);
      await cluster.#start(standby);
      // Set after the base backup, so that the standby, once promoted, does not wait for a standby of its own.
      await cluster.sql(`ALTER SYSTEM SET synchronous_standby_names = '*'`);
      await cluster.sql('SELECT pg_reload_conf()');
      const deadline = Date.now() + 30_000;
      while ((await cluster.sql<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication'))[0]?.sync_state !== 'sync') {
        if (Date.now() > deadline) throw new Error('the standby did not become synchronous');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await cluster.sql(`CREATE DATABASE ${database}`);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    const atExit = () => cluster.#stopNow();
    process.once('exit', atExit);
    cluster.#atExit = atExit;
    return cluster;
  }

  /** What a node is given: both servers, the writable one wanted. */
  nodeUrl(database: string): string {
    const hosts = [this.#primary, ...(this.#standby ? [this.#standby] : [])].map((server) => `127.0.0.1:${server.port}`);
    return `postgres://${this.#owner}@${hosts.join(',')}/${database}?target_session_attrs=read-write`;
  }

  /** The primary of now (the promoted standby after a failover), for the test's own reads. */
  primaryUrl(database: string): string {
    return `postgres://${this.#owner}@127.0.0.1:${this.#primary.port}/${database}`;
  }

  /** Runs one statement on the primary, on a connection of its own; `database` is `postgres` unless named. */
  async sql<R extends Record<string, unknown>>(text: string, params: unknown[] = [], database = 'postgres'): Promise<R[]> {
    const client = new Client({ connectionString: this.primaryUrl(database), connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Whether the primary takes a new connection and can write now. */
  async answering(): Promise<boolean> {
    try {
      const [row] = await this.sql<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
      return row?.recovery === false;
    } catch {
      return false;
    }
  }

  /** `pg_ctl restart -m fast`: sessions are ended (57P01), the server shuts down cleanly and starts again. */
  async restartFast(): Promise<void> {
    await this.#as('pg_ctl', ['-D', this.#primary.data, '-l', this.#log(this.#primary), '-m', 'fast', '-w', 'restart']);
  }

  /** `pg_ctl stop -m immediate`: every process of the primary quits at once, as in a crash; starting it again runs crash recovery. */
  async crash(): Promise<void> {
    await this.#as('pg_ctl', ['-D', this.#primary.data, '-m', 'immediate', '-w', 'stop']);
  }

  async startPrimary(): Promise<void> {
    await this.#start(this.#primary);
  }

  /** Ends every session whose application name starts with `prefix` (`pg_terminate_backend`); returns how many. */
  async terminateSessions(prefix: string): Promise<number> {
    const rows = await this.sql<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()`,
      [`${prefix}%`],
    );
    return rows.filter((row) => row.ended).length;
  }

  /**
   * SIGSTOP to the primary's postmaster, and with `sessions` to every one of
   * its processes (the whole server hangs); `resume` sends SIGCONT to them.
   */
  pause(options: { sessions: boolean }): { resume(): void } {
    const postmaster = Number(readFileSync(join(this.#primary.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const pids = options.sessions ? [postmaster, ...childrenOf(postmaster)] : [postmaster];
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    return {
      resume: () => {
        for (const pid of pids) process.kill(pid, 'SIGCONT');
      },
    };
  }

  /** The primary crashes and the standby, which has every acknowledged commit, is promoted in its place. */
  async failover(): Promise<void> {
    const standby = this.#standby;
    if (!standby) throw new Error('there is no standby to fail over to');
    await this.crash();
    await this.#as('pg_ctl', ['-D', standby.data, '-w', 'promote']);
    this.#primary = standby;
    this.#standby = undefined;
  }

  async stop(): Promise<void> {
    if (this.#atExit) process.off('exit', this.#atExit);
    if (this.#stopped) return;
    this.#stopped = true;
    for (const server of [this.#primary, this.#standby]) {
      if (server) await this.#as('pg_ctl', ['-D', server.data, '-m', 'immediate', 'stop']).catch(() => {});
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** The servers' logs, for a failure's report. */
  logs(): string {
    return readdirSync(this.#dir)
      .filter((name) => name.endsWith('.log'))
      .map((name) => `--- ${name}\n${readFileSync(join(this.#dir, name), 'utf8').split('\n').slice(-40).join('\n')}`)
      .join('\n');
  }

  /** For a test run that dies before its afterAll: no server is left behind (only synchronous work runs at exit). */
  #stopNow() {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const server of [this.#primary, this.#standby]) {
      if (!server) continue;
      const pgCtl = join(this.#bin, 'pg_ctl');
      const args = ['-D', server.data, '-m', 'immediate', 'stop'];
      try {
        execFileSync(userInfo().uid === 0 ? 'runuser' : pgCtl, userInfo().uid === 0 ? ['-u', this.#owner, '--', pgCtl, ...args] : args, {
          stdio: 'ignore',
        });
      } catch {
        // Already stopped.
      }
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #log(server: Server): string {
    return join(this.#dir, `${server.name}.log`);
  }

  async #start(server: Server) {
    // fsync off: nothing here must outlive the machine; a crash of the server (stop -m immediate) still runs recovery.
    const settings = [
      `-c listen_addresses=127.0.0.1 -p ${server.port} -k ${this.#dir} -c fsync=off -c max_connections=100`,
      // A standby asks for WAL again soon after its primary restarts; at the default 5 s, synchronous commits would wait that long.
      '-c wal_retrieve_retry_interval=100ms',
    ].join(' ');
    await this.#as('pg_ctl', ['-D', server.data, '-l', this.#log(server), '-w', '-o', settings, 'start']);
  }

  #as(command: string, args: string[]) {
    const path = join(this.#bin, command);
    return userInfo().uid === 0 ? run('runuser', ['-u', this.#owner, '--', path, ...args]) : run(path, args);
  }
}

/** Every process whose parent is `pid` (a postmaster's backends and workers), from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
