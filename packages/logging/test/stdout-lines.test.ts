import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./write-lines.ts', import.meta.url));
/** About 2.3 MB of lines: far more than a pipe holds (64 KiB). */
const LINES = 10_000;

/**
 * Runs `write-lines.ts` with its stdout unread until it says it has logged
 * (a logger that waited for its reader would never get there), then reads
 * it and has it exit: every line it printed, parsed.
 */
async function unreadUntilLogged(env: Record<string, string>): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', program], {
    env: { ...process.env, LINES: String(LINES), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    child.stdout.pause();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => stderr, { timeout: 20_000, interval: 50 }).toContain('logged');
    const exited = once(child, 'exit');
    child.stdin.write('exit\n');
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdout.resume();
    const [code] = await exited;
    if (!child.stdout.readableEnded) await once(child.stdout, 'end');
    expect(code).toBe(0);
    return out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('the JSON logger on stdout', () => {
  it('goes on while nothing reads its pipe, and every line reaches the pipe when the process exits', async () => {
    const lines = await unreadUntilLogged({});
    expect(lines.map((line) => line['n'])).toEqual(Array.from({ length: LINES }, (_, n) => n));
  }, 30_000);

  it('drops the lines past its backlog, and says how many once the pipe takes lines again', async () => {
    const lines = await unreadUntilLogged({ BACKLOG: String(64 * 1024) });
    const kept = lines.filter((line) => line['n'] !== undefined).map((line) => line['n']);
    const note = lines.at(-1);
    expect(note).toMatchObject({ level: 'warn', message: expect.stringMatching(/^\d+ log lines dropped: stdout was not read$/) });
    const dropped = Number(/^(\d+)/.exec(String(note?.['message']))?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: LINES - dropped }, (_, n) => n));
  }, 30_000);
});
