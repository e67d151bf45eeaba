import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The kinds of live stream a node serves: a device's own, and the store's watch across replicas. */
export type StreamKind = 'device' | 'watch';

/**
 * What a server node counts for `/metrics`. Every label comes from a closed
 * set (procedure and route names from the router, error codes from the
 * protocol, collection names from the schemas), never from a user's input.
 */
export type ServerMetrics = {
  /** The registry `/metrics` serves; none when metrics are off. */
  readonly registry: Registry | undefined;
  /** One answered request: its procedure or route, its outcome (`OK` or an error code), and how long it took (not for live streams). */
  request(labels: { procedure: string; code: string }, seconds: number | undefined): void;
  /** One refused call, by its error code (a batched request may refuse several). */
  refused(code: string): void;
  /** Documents pushed against a stale state (sent back as conflicts), or a batch refused because its preconditions failed. */
  conflicts(labels: { procedure: string; reason: string }, count: number): void;
  /** One group commit of the store: how many commits went into its one transaction. */
  commitGroup(commits: number): void;
  /** A live stream opened; the function it returns closes it. */
  streamOpened(kind: StreamKind): () => void;
  /** A change handed to a live stream, written at `updatedAt` (the store's time): its latency from commit to stream. */
  delivered(kind: StreamKind, updatedAt: string | undefined): void;
};

/** Request latencies, from a cached read to a push that waits out a busy group commit. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GROUP_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** A node's metrics in a registry of its own (so several servers in one process, as in tests, do not mix). */
export function serverMetrics(options: { processMetrics: boolean; now: () => Date }): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({
    name: 'pourover_requests_total',
    help: 'Requests answered, by tRPC procedure (or HTTP route) and outcome code',
    labelNames: ['procedure', 'code'] as const,
    registers,
  });
  const durations = new Histogram({
    name: 'pourover_request_duration_seconds',
    help: 'Time from a request to the end of its answer, by procedure and outcome code (live streams left out)',
    labelNames: ['procedure', 'code'] as const,
    buckets: SECONDS,
    registers,
  });
  const refusals = new Counter({
    name: 'pourover_refusals_total',
    help: 'Calls refused, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const conflicts = new Counter({
    name: 'pourover_conflicts_total',
    help: 'Pushed documents sent back as conflicts, and batches refused on a failed precondition or deadline',
    labelNames: ['procedure', 'reason'] as const,
    registers,
  });
  const groups = new Histogram({
    name: 'pourover_commit_group_commits',
    help: 'Commits written together in one store transaction (group commit)',
    buckets: GROUP_SIZES,
    registers,
  });
  const streams = new Gauge({
    name: 'pourover_open_streams',
    help: 'Live streams open on this node, by kind',
    labelNames: ['stream'] as const,
    registers,
  });
  const toStream = new Histogram({
    name: 'pourover_commit_to_stream_seconds',
    help: 'Time from a commit to its changes being handed to a live stream (push to stream latency), by kind of stream',
    labelNames: ['stream'] as const,
    buckets: SECONDS,
    registers,
  });
  // Zero series from the start, so a scrape shows every stream kind and a rate() has a first point.
  for (const kind of ['device', 'watch'] as const) streams.set({ stream: kind }, 0);

  return {
    registry,
    request(labels, seconds) {
      requests.inc(labels);
      if (seconds !== undefined) durations.observe(labels, seconds);
    },
    refused: (code) => refusals.inc({ code }),
    conflicts(labels, count) {
      if (count > 0) conflicts.inc(labels, count);
    },
    commitGroup: (commits) => groups.observe(commits),
    streamOpened(kind) {
      streams.inc({ stream: kind });
      let open = true;
      return () => {
        if (open) streams.dec({ stream: kind });
        open = false;
      };
    },
    delivered(kind, updatedAt) {
      if (updatedAt === undefined) return;
      const seconds = (options.now().getTime() - Date.parse(updatedAt)) / 1000;
      // Another node's clock (PostgreSQL stamps with the database's) may run a little ahead of this one.
      toStream.observe({ stream: kind }, Math.max(0, seconds));
    },
  };
}

/** Metrics off: nothing is counted and `/metrics` is not served (the bench's baseline for what counting costs). */
export const noMetrics: ServerMetrics = {
  registry: undefined,
  request: () => {},
  refused: () => {},
  conflicts: () => {},
  commitGroup: () => {},
  streamOpened: () => () => {},
  delivered: () => {},
};
