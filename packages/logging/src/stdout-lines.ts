import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** How many bytes of lines may wait for a stdout that is not read before new lines are dropped rather than kept. */
export const STDOUT_BACKLOG_BYTES = 16 * 1024 * 1024;
/** How long lines wait before the pipe is tried again, while it is full. */
const RETRY_MS = 10;
/** How long an exiting process waits for a reader to take the lines still waiting. */
const EXIT_WAIT_MS = 10_000;

const isFull = (error: unknown) => ['EAGAIN', 'EBUSY'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * A file descriptor (stdout) as a destination of log lines that never blocks
 * the event loop: each line is written at once with a synchronous write; when
 * the pipe is full (a slow reader), it and the lines after it wait, in order,
 * and are tried again every 10 ms; an exiting process writes what waits
 * before it ends. Unlike pino's synchronous destination, whose sonic-boom
 * sleeps 100 ms with the event loop blocked on every full pipe (10–17% of the
 * server's profile under 200 pushing devices); unlike its asynchronous one,
 * which loses the line being retried when the process exits. Past
 * `backlogBytes` waiting, lines are dropped and counted, and the count is
 * logged once the pipe takes lines again. A reader gone (EPIPE) ends logging.
 */
export class FdLines implements DestinationStream {
  readonly #fd: number;
  readonly #backlogBytes: number;
  #waiting: Buffer[] = [];
  #waitingBytes = 0;
  #dropped = 0;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(fd: number, backlogBytes = STDOUT_BACKLOG_BYTES) {
    this.#fd = fd;
    this.#backlogBytes = backlogBytes;
    process.once('exit', () => this.flushSync(EXIT_WAIT_MS));
  }

  write(line: string): void {
    if (this.#closed) return;
    if (this.#waiting.length === 0) {
      const written = this.#attempt(line);
      if (written === undefined) return;
      const bytes = Buffer.byteLength(line);
      if (written === bytes) return;
      this.#enqueue(Buffer.from(line).subarray(written));
    } else {
      this.#enqueue(Buffer.from(line));
    }
    this.#scheduleRetry();
  }

  /** Writes what waits, sleeping while the pipe is full, for up to `waitMs`. */
  flushSync(waitMs: number): void {
    const until = Date.now() + waitMs;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (!this.#drain() && Date.now() < until) Atomics.wait(pause, 0, 0, RETRY_MS);
  }

  /** Writes `data` now, as far as the pipe takes it: the bytes written, or undefined once logging has ended. */
  #attempt(data: string | Buffer): number | undefined {
    try {
      return typeof data === 'string' ? writeSync(this.#fd, data) : writeSync(this.#fd, data);
    } catch (error) {
      if (isFull(error)) return 0;
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
        this.#closed = true;
        this.#waiting = [];
        return undefined;
      }
      throw error;
    }
  }

  #enqueue(data: Buffer) {
    if (this.#waitingBytes + data.length > this.#backlogBytes) {
      this.#dropped += 1;
      return;
    }
    this.#waiting.push(data);
    this.#waitingBytes += data.length;
  }

  /** Writes what waits, in order, as far as the pipe takes it; true when nothing waits. */
  #drain(): boolean {
    while (this.#waiting.length > 0 && !this.#closed) {
      const head = this.#waiting[0]!;
      const written = this.#attempt(head);
      if (written === undefined) return true;
      this.#waitingBytes -= written;
      if (written < head.length) {
        this.#waiting[0] = head.subarray(written);
        return false;
      }
      this.#waiting.shift();
    }
    if (this.#dropped > 0 && !this.#closed) {
      const note = `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), message: `${this.#dropped} log lines dropped: stdout was not read` })}\n`;
      this.#dropped = 0;
      this.#enqueue(Buffer.from(note));
      return this.#drain();
    }
    return true;
  }

  #scheduleRetry() {
    if (this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#drain()) this.#scheduleRetry();
    }, RETRY_MS).unref();
  }
}

let stdout: FdLines | undefined;

/** Stdout as a destination of log lines (one for the process, so lines of several loggers keep their order). */
export function stdoutLines(): FdLines {
  stdout ??= new FdLines(1);
  return stdout;
}
