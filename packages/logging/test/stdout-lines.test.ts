import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./write-lines.ts', import.meta.url));
/** About 2.5 MB of lines: far more than a pipe holds (64 KiB), well under the logger's backlog. */
const LINES = 10_000;

describe('the JSON logger on stdout', () => {
  it('goes on while nothing reads its pipe, and every line reaches the pipe when the process exits', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', program], {
      env: { ...process.env, LINES: String(LINES) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      // stdout is not read yet: a logger that waited for its reader would never get to say it logged.
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
      const numbers = out
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { n: number }).n);
      expect(numbers).toEqual(Array.from({ length: LINES }, (_, n) => n));
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
