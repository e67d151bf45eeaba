/**
 * A latch that remembers being woken: `wait()` resolves at once if `wake()`
 * was called since the last wait, so no wake-up between two reads is lost.
 */
export function wakeLatch(signal: AbortSignal | undefined) {
  let woken = true;
  let resolve: (() => void) | undefined;
  const wake = () => {
    woken = true;
    resolve?.();
    resolve = undefined;
  };
  signal?.addEventListener('abort', wake, { once: true });
  return {
    wake,
    async wait() {
      if (!woken) await new Promise<void>((done) => (resolve = done));
      woken = false;
    },
  };
}
