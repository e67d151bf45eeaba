import type { ServerResponse } from 'node:http';

/** Why a node refuses a request, or ends a stream, while it drains to stop. */
export const DRAINING = 'this server node is stopping; try again shortly';

/** What a live stream reads of its node's drain. */
export type DrainSignal = {
  /** Whether the node is draining: it takes no new request and ends its live streams. */
  readonly draining: boolean;
  /** Calls `listener` when the drain starts (at once if it has); returns what stops listening. */
  onStart(listener: () => void): () => void;
};

/** What a drain left when it ended: the requests still in flight (method and name) and the live streams still open. */
export type DrainReport = { ms: number; requests: string[]; streams: number };

export type Drain = DrainSignal & {
  /**
   * Counts a request in flight (or a live stream, while it is open) until its
   * response closes. A request whose client went away counts as ended, though
   * its handler may still be committing when the node closes its database: a
   * commit is all or nothing, and the device sends the request again.
   */
  track(res: ServerResponse, what: { name: string; stream: boolean }): void;
  /** The requests in flight and the streams open now. */
  counts(): { requests: number; streams: number };
  /**
   * Starts the drain: the responses in flight close their connections when
   * they end, and every stream is told to end. Resolves once each request in
   * flight has ended and each stream has closed, or when `timeoutMs` has
   * passed, with what was left.
   */
  settle(timeoutMs: number): Promise<DrainReport>;
};

/**
 * A node's drain on SIGTERM: it finishes what it started (pushes, batches,
 * commits) and ends its live streams with a typed error that sends devices
 * elsewhere, bounded in time. Refusing new requests is the router's part
 * (start-server.ts), and so is closing the database after.
 */
export function nodeDrain(): Drain {
  let draining = false;
  const listeners = new Set<() => void>();
  const requests = new Map<ServerResponse, string>();
  const streams = new Set<ServerResponse>();
  let changed: () => void = () => {};

  return {
    get draining() {
      return draining;
    },
    onStart(listener) {
      if (draining) {
        listener();
        return () => {};
      }
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    track(res, what) {
      if (what.stream) streams.add(res);
      else requests.set(res, what.name);
      res.once('close', () => {
        requests.delete(res);
        streams.delete(res);
        changed();
      });
    },
    counts: () => ({ requests: requests.size, streams: streams.size }),
    async settle(timeoutMs) {
      const started = performance.now();
      if (!draining) {
        draining = true;
        // A client's connection is not kept for another request, which this node would refuse.
        for (const res of requests.keys()) if (!res.headersSent) res.setHeader('connection', 'close');
        for (const listener of listeners) listener();
        listeners.clear();
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        changed = () => {
          if (requests.size === 0 && streams.size === 0) resolve();
        };
        changed();
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      changed = () => {};
      return { ms: Math.round(performance.now() - started), requests: [...requests.values()], streams: streams.size };
    },
  };
}
