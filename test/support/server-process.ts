import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_OPTIONS } from '@pourover/sync-server/node-options';
import { freePort } from './free-port.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../sync-server/bin/pourover-server.ts', import.meta.url));

/** One request as the server's log line tells it. */
export type LoggedRequest = {
  path: string;
  blessing: string | undefined;
  status: number;
  app: string | undefined;
  protocol: number | undefined;
  error: string | undefined;
  reason: string | undefined;
};

export type ServerProcess = {
  url: string;
  port: number;
  dataDir: string;
  /** The process id of the server now running (for its memory, in the benchmarks). */
  readonly pid: number | undefined;
  /** The store owner's sign-in code the seeded server printed when it last started. */
  readonly ownerCode: string | undefined;
  /** A new store owner's sign-in code, made as an operator does, with `pourover-server owner-code`. */
  newOwnerCode(): Promise<string>;
  /** Whether the process is running (it has not exited, nor been killed). */
  readonly running: boolean;
  /**
   * Request paths the server logged (at info: lease renewals and health probes only at `--log-level debug`), with the
   * blessing that made each, the protocol and app build the client named, and a refusal's error code and reason.
   */
  requests: LoggedRequest[];
  /** Every JSON line the server logged, as written (requests, and its drain's start and end). */
  logs: Record<string, unknown>[];
  /** Sends the process a signal, and returns at once. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the process's exit code once it has exited and its output is read (null if a signal ended it). */
  exited(): Promise<number | null>;
  /** Kills the process with SIGKILL and waits for it to be gone. */
  kill(): Promise<void>;
  /** Stops it with SIGTERM (a clean shutdown) and waits. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  restart(): Promise<void>;
};

/** Runs a `pourover-server` command (backup, restore, new-epoch…) to its end: its exit code and what it printed. */
export async function runServerCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (exit) => resolve(exit ?? 1)));
  return { code, stdout, stderr };
}

/** Whether a server argument names where identities live (`owner-code` must open the same ones). */
const isStoreArg = (arg: string, index: number, args: string[]) => arg.startsWith('--store') || args[index - 1] === '--store';

/**
 * Runs the real sync server CLI as a child process on 127.0.0.1, seeded, in `dataDir`; `nodeArgs` go to node itself
 * (an `--import` of module hooks, say).
 */
export function startServerProcess(
  dataDir: string,
  port?: number,
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return startProcess({ entry: bin, dataDir, port, extraArgs, nodeArgs });
}

/**
 * Runs another app's server entry (a script taking `--port` and `--data`, and
 * printing the CLI's listening line) as a child process, so it too can be
 * killed and restarted on its data.
 */
export function startAppServerProcess(entry: string, dataDir: string): Promise<ServerProcess> {
  return startProcess({ entry, dataDir, port: undefined, extraArgs: [], nodeArgs: [] });
}

async function startProcess(options: {
  entry: string;
  dataDir: string;
  port: number | undefined;
  extraArgs: string[];
  nodeArgs: string[];
}): Promise<ServerProcess> {
  const { entry, dataDir, extraArgs, nodeArgs } = options;
  const chosen = options.port ?? (await freePort());
  const requests: ServerProcess['requests'] = [];
  const logs: ServerProcess['logs'] = [];
  let child: ChildProcess | undefined;
  let closed: Promise<number | null> = Promise.resolve(null);
  let ownerCode: string | undefined;

  async function launch() {
    // node itself, with tsx as a loader (a signal reaches the server, not a wrapper process), and the options the CLI runs with.
    const proc = spawn(
      process.execPath,
      [...SERVER_NODE_OPTIONS, '--import', 'tsx', ...nodeArgs, entry, '--port', String(chosen), '--data', dataDir, '--seed', ...extraArgs],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    // After its output is read to the end, so the lines it logged last are in `logs`.
    closed = new Promise((resolve) => proc.once('close', (code) => resolve(code)));
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      proc.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('Pourover sync server listening')) resolve();
          ownerCode = /^Store owner sign-in code: (\w+)/.exec(line)?.[1] ?? ownerCode;
          if (line.startsWith('{')) {
            const entry = JSON.parse(line) as Partial<LoggedRequest> & { status: number };
            logs.push(entry);
            if (entry.path !== undefined) {
              const { path, blessing, status, app, protocol, error, reason } = entry;
              requests.push({ path, blessing, status, app, protocol, error, reason });
            }
          }
        }
      });
      proc.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)));
    });
  }

  async function end(signal: NodeJS.Signals) {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await gone;
  }

  await launch();
  return {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    dataDir,
    get pid() {
      return child?.pid;
    },
    get ownerCode() {
      return ownerCode;
    },
    async newOwnerCode() {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', entry, 'owner-code', '--data', dataDir, ...extraArgs.filter(isStoreArg)],
        { cwd: root },
      );
      const code = /^Store owner sign-in code: (\w+)/m.exec(stdout)?.[1];
      if (!code) throw new Error(`owner-code printed no code: ${stdout}`);
      return code;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    requests,
    logs,
    signal: (signal) => void child?.kill(signal),
    exited: () => closed,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    restart: launch,
  };
}
