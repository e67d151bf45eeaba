/**
 * PostgreSQL for tests, never a mock. `POUROVER_TEST_PG_URL` names a server
 * the tests may create databases on (`npm run test:all` sets it, see `scripts/test-all.sh`). Without
 * it, on a developer's machine, a throwaway cluster is started from the
 * installed binaries; in CI a missing URL is an error, so PostgreSQL tests
 * can never pass by not running.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export type TestPostgres = {
  /** A URL of the server's maintenance database. */
  url: string;
  /** A new empty database; `drop` removes it, closing whatever is still connected. */
  createDatabase(): Promise<{ url: string; drop(): Promise<void> }>;
  stop(): Promise<void>;
};

/** Why PostgreSQL tests cannot run here, or undefined if they can. */
export function postgresMissing(): string | undefined {
  if (process.env['POUROVER_TEST_PG_URL']) return undefined;
  if (process.env['CI']) return 'PostgreSQL is required in CI: set POUROVER_TEST_PG_URL (npm run test:all starts a cluster and sets it)';
  if (!postgresBinaries()) return 'PostgreSQL is required: install it (apt-get install postgresql) or set POUROVER_TEST_PG_URL';
  return undefined;
}

/** The server named by `POUROVER_TEST_PG_URL`, or a throwaway cluster started now. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env['POUROVER_TEST_PG_URL'];
  if (given) return server(given, async () => {});
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  return startCluster({ fsync: false });
}

/**
 * A throwaway cluster of its own with fsync on, as production runs, for
 * measurements next to a store that syncs every commit (the benchmarks);
 * undefined where PostgreSQL is not installed.
 */
export async function startDurablePostgres(): Promise<TestPostgres | undefined> {
  return postgresBinaries() ? startCluster({ fsync: true }) : undefined;
}

let databases = 0;

function server(url: string, stop: () => Promise<void>): TestPostgres {
  return {
    url,
    async createDatabase() {
      const name = `pourover_test_${process.pid}_${Date.now().toString(36)}_${(databases += 1)}`;
      await admin(url, `CREATE DATABASE ${name}`);
      const database = new URL(url);
      database.pathname = `/${name}`;
      return { url: database.toString(), drop: () => admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
    stop,
  };
}

async function admin(url: string, sql: string, params: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * The database at `url` as a node sees it when its database goes away: no
 * new session may connect, and the sessions whose application name starts
 * with `prefix` are ended. Sessions opened before, and others' databases,
 * are untouched. `letIn` lets new sessions connect again.
 */
export async function shutOut(url: string, prefix: string): Promise<{ letIn(): Promise<void> }> {
  const name = new URL(url).pathname.slice(1);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  await admin(maintenance.toString(), `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin(
    maintenance.toString(),
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2`,
    [name, `${prefix}%`],
  );
  return { letIn: () => admin(maintenance.toString(), `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`) };
}

/** The newest installed PostgreSQL's bin folder (Debian keeps them under /usr/lib/postgresql/<major>/bin). */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((major) => existsSync(join(root, major, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

async function startCluster(options: { fsync: boolean }): Promise<TestPostgres> {
  const bin = postgresBinaries() as string;
  const dir = mkdtempSync(join(tmpdir(), 'pourover-pg-'));
  // PostgreSQL refuses to run as root; the tests often do (in containers), so the cluster belongs to `postgres`.
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) execFileSync('chown', [owner, dir]);
  const as = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', owner, '--', command, ...args]) : run(command, args));
  const data = join(dir, 'data');
  const pgCtl = join(bin, 'pg_ctl');
  await as(join(bin, 'initdb'), ['-D', data, '-U', owner, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  let port: number;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    // Tests run with fsync off: a throwaway cluster needs no durability, and the machine is small and shared.
    const settings = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=${options.fsync ? 'on' : 'off'}`;
    try {
      await as(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-o', settings, 'start']);
      break;
    } catch (error) {
      // Another process may have taken the port between our probe and the start.
      if (attempt === 3) throw error;
    }
  }
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(asRoot ? 'runuser' : pgCtl, [...(asRoot ? ['-u', owner, '--', pgCtl] : []), '-D', data, '-m', 'immediate', 'stop'], {
        stdio: 'ignore',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test run that dies before its afterAll still leaves no server behind.
  process.once('exit', stopSync);
  return server(`postgres://${owner}@127.0.0.1:${port}/postgres`, async () => {
    process.off('exit', stopSync);
    if (stopped) return;
    stopped = true;
    try {
      await as(pgCtl, ['-D', data, '-m', 'fast', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
