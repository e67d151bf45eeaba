/** How a request is named in the metrics and the log: a tRPC procedure or an HTTP route, and how it is counted. */
export type RequestName = {
  /** A procedure of the router (`sync.push`), `batch` for several in one request, or a route (`/healthz`, `images`, `other`). */
  procedure: string;
  /** A live stream: counted, but its lifetime is no latency. */
  stream: boolean;
  /** Repeats every few seconds by design (lease renewals, health probes, scrapes): logged at debug. */
  quiet: boolean;
};

export type RequestNames = { of(path: string): RequestName };

/** Asked every few seconds by the store's workers (their lease) and dashboards, load balancers and Prometheus. */
const QUIET = new Set(['sync.lease', 'sync.leaseHolder', '/healthz', '/readyz', '/metrics']);

/**
 * Names requests from the router's own procedure names, so a label never
 * carries what a client wrote in its path (a path naming no procedure is
 * `unknown`).
 */
export function requestNames(router: { _def: { procedures: object } }): RequestNames {
  const procedures = Object.entries(router._def.procedures as Record<string, { _def: { type: string } }>);
  const known = new Map(procedures.map(([name, procedure]) => [name, procedure._def.type === 'subscription']));
  const named = (procedure: string, stream = false): RequestName => ({ procedure, stream, quiet: QUIET.has(procedure) });
  return {
    of(path) {
      if (path.startsWith('/trpc/')) {
        const calls = path.slice('/trpc/'.length).split(',');
        if (!calls.every((call) => known.has(call))) return named('unknown');
        const [first] = calls;
        return calls.length === 1 && first ? named(first, known.get(first)) : named('batch');
      }
      if (path === '/healthz' || path === '/readyz' || path === '/metrics') return named(path);
      if (path === '/images' || path.startsWith('/images/')) return named('images');
      return named('other');
    },
  };
}
