import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/processor/bin/pourover-processor.ts');

export type ProcessorProcess = {
  /** Every JSON line it logged. */
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  kill(): Promise<void>;
};

/** Runs the real processor CLI as a child process against a server, with its files in `dataDir`. */
export function startProcessorProcess(server: { url: string; dataDir: string }, extraArgs: string[] = []): ProcessorProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      bin,
      '--server',
      server.url,
      '--journal',
      join(server.dataDir, 'processor-journal.sqlite'),
      '--ledger',
      join(server.dataDir, 'payments.sqlite'),
      '--credentials',
      join(server.dataDir, 'store.token'),
      ...extraArgs,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
