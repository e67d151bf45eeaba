import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveStream } from './live-stream.ts';
import type { ReplicationTransport } from './replication-transport.ts';
import { SeqBook } from './seq-book.ts';

/** A transport whose every stream ends at once with the error `refusal` makes; it counts the streams opened. */
function refusingTransport(refusal: () => Error): { transport: ReplicationTransport; opened: () => number } {
  let opened = 0;
  const transport: ReplicationTransport = {
    pull: () => Promise.reject(new Error('not used')),
    push: () => Promise.reject(new Error('not used')),
    stream: (listener) => {
      opened += 1;
      queueMicrotask(() => listener.ended(refusal()));
      return { unsubscribe: () => {} };
    },
    renewed: async () => false,
  };
  return { transport, opened: () => opened };
}

const unavailable = () =>
  TRPCClientError.from({ error: { message: 'node not yet upgraded', code: -32603, data: { code: 'UNAVAILABLE' } } });

/** A stream ticket refused for the device's request budget, as the server answers it: 429 with Retry-After 3. */
const rateLimited = () =>
  TRPCClientError.from(
    { error: { message: 'too many requests from a phone; try again in 3 s', code: -32029, data: { code: 'RATE_LIMITED' } } },
    { meta: { response: new Response(null, { status: 429, headers: { 'retry-after': '3' } }) } },
  );

/** How many times the stream opened in `ms` of the clock after it first started. */
async function openedWithin(refusal: () => Error, ms: number): Promise<number> {
  const { transport, opened } = refusingTransport(refusal);
  const stream = new LiveStream(transport, ['notes'], { beforeApply: async () => {}, seqs: new SeqBook() });
  stream.start();
  await vi.advanceTimersByTimeAsync(ms);
  stream.close();
  return opened();
}

describe('the live stream, refused', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('with UNAVAILABLE opens again after the server’s Retry-After (1–1.5 s) each time, without growing its wait', async () => {
    // Eight refusals in a row, as from a node not yet upgraded: each is tried again within 1.5 s.
    expect(await openedWithin(unavailable, 8 * 1_500)).toBeGreaterThanOrEqual(9);
  });

  it('with RATE_LIMITED opens again no sooner than the server’s Retry-After, and within half again', async () => {
    expect(await openedWithin(rateLimited, 2_990)).toBe(1);
    expect(await openedWithin(rateLimited, 4_510)).toBe(2);
  });

  it('otherwise waits longer after each failure', async () => {
    // 0.25–0.5 s, then 0.5–1, 1–2, 2–4, 4–8 s: at most five attempts after the first in the same 12 s.
    expect(await openedWithin(() => new Error('socket hang up'), 8 * 1_500)).toBeLessThanOrEqual(6);
  });
});
