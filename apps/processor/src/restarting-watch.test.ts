import type { WatchEvent } from '@pourover/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RestartingWatch } from './restarting-watch.ts';

type Handlers = Parameters<ConstructorParameters<typeof RestartingWatch>[0]['subscribe']>[0];

/** Watches opened through `subscribe`, as tRPC's client would report on them. */
function watches() {
  const opened: { handlers: Handlers; stopped: boolean }[] = [];
  return {
    opened,
    subscribe: (handlers: Handlers) => {
      const watch = { handlers, stopped: false };
      opened.push(watch);
      return { unsubscribe: () => void (watch.stopped = true) };
    },
  };
}

const initialized = { data: { kind: 'initialized', resumeMarker: '1' } };

describe('a watch started again whenever it stops', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps one watch at a time: a stopped watch’s late callbacks never stop its successor', () => {
    vi.useFakeTimers();
    const { opened, subscribe } = watches();
    const events: WatchEvent[] = [];
    const watch = new RestartingWatch({ subscribe, onEvent: (event) => events.push(event), onRestart: () => {} });
    watch.start();
    watch.start();
    expect(opened).toHaveLength(1);
    opened[0]?.handlers.onError(new Error('connection reset'));
    expect(opened[0]?.stopped).toBe(true);
    vi.advanceTimersByTime(500);
    expect(opened).toHaveLength(2);
    // tRPC reports the first watch's end after it was stopped: it must not touch the second.
    opened[0]?.handlers.onComplete();
    opened[0]?.handlers.onConnectionStateChange({ state: 'connecting', error: { message: 'gone' } });
    opened[0]?.handlers.onData(initialized);
    expect(opened[1]?.stopped).toBe(false);
    expect(watch.restarts).toBe(1);
    expect(events).toEqual([]);
    opened[1]?.handlers.onData(initialized);
    expect(events).toEqual([initialized.data]);
    watch.stop();
  });

  it('waits longer after each watch that fails soon, even one that delivered its initial state, and falls back once one stayed up', () => {
    vi.useFakeTimers();
    const { opened, subscribe } = watches();
    const delays: number[] = [];
    const watch = new RestartingWatch({
      subscribe,
      onEvent: () => {},
      onRestart: (_, delay) => delays.push(delay),
      healthyAfterMs: 10_000,
    });
    watch.start();
    for (let round = 0; round < 5; round += 1) {
      const current = opened.at(-1);
      current?.handlers.onData(initialized);
      current?.handlers.onComplete();
      vi.advanceTimersByTime(delays.at(-1) ?? 0);
    }
    expect(opened).toHaveLength(6);
    delays.forEach((delay, failure) => {
      expect(delay).toBeGreaterThanOrEqual(250 * 2 ** (failure + 1) * 0.5);
      expect(delay).toBeLessThanOrEqual(250 * 2 ** (failure + 1));
    });
    vi.advanceTimersByTime(10_000);
    opened.at(-1)?.handlers.onComplete();
    expect(delays.at(-1)).toBeLessThanOrEqual(250);
    watch.stop();
  });
});
