import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PouroverError } from '@pourover/protocol';
import type { IdentityStore } from '../auth/identity-store.ts';
import type { ServerKey } from '../auth/server-key.ts';
import { answerClientErrors } from '../http/client-errors.ts';
import { isLoopback, namesLoopback } from '../http/loopback-host.ts';
import { answerLiveness, answerReadiness } from '../http/readiness.ts';
import { silentLogger, type Logger } from '../http/logger.ts';
import { answerMetrics } from '../http/metrics-endpoint.ts';
import { deviceStreamRoute } from '../http/device-stream-sse.ts';
import { handleRequests } from '../http/request-log.ts';
import { pushRoute } from '../http/push-route.ts';
import { requestNames } from '../http/request-names.ts';
import { errorBody, json } from '../http/responses.ts';
import { staticFiles } from '../http/static-files.ts';
import { imageRoutes } from '../images/image-routes.ts';
import { admission as requestAdmission, subscriptionsOf } from '../limits/admission.ts';
import type { LimitOverrides } from '../limits/limit-settings.ts';
import { noMetrics, serverMetrics } from '../metrics/server-metrics.ts';
import { seedServer } from '../seed/seed-server.ts';
import type { Store } from '../store/store.ts';
import { syncgroupsOf } from '../sync/permissions.ts';
import { appRouter } from '../trpc/app-router.ts';
import { trpcHttpHandler } from '../trpc/http-handler.ts';
import type { ServerDeps } from '../trpc/trpc.ts';
import type { ServerApp } from '../app/server-app.ts';
import { OLDEST_SERVED_PROTOCOL } from '../http/client-version.ts';
import { DRAINING, nodeDrain, type DrainReport } from './drain.ts';
import { openParts } from './open-parts.ts';

export type { Logger } from '../http/logger.ts';
export type { DrainReport } from './drain.ts';
export { MAX_BODY_BYTES } from '../trpc/http-handler.ts';

export type ServerOptions = {
  /** The app to serve: its collections, homes, syncgroups and server-side hooks. */
  app: ServerApp;
  port?: number;
  host?: string;
  /** Folder of the server key (unless `keyFile` names another), and unless `store` names PostgreSQL, the identity file and SQLite store. */
  dataDir: string;
  /**
   * The server's signing key (PEM, created if missing); default `<dataDir>/server-key.pem`.
   * Every node on one PostgreSQL database must read the same key: the first node records
   * its public key in the database, and a node with another is refused at start.
   */
  keyFile?: string | undefined;
  /** A `postgres://` URL: keep documents in PostgreSQL, so several server nodes can share them. */
  store?: string | undefined;
  /** Connections in the PostgreSQL store's pool. */
  poolSize?: number | undefined;
  /** Seeds the demo data and enables the dev sign-in. */
  seed?: boolean;
  /** Where the server logs: one line per request, and errors of its parts (default: nothing). */
  logger?: Logger;
  /**
   * What `/metrics` serves (default: request, stream and store metrics, without
   * the process's own); `false` turns counting off. `token` lets callers off
   * this machine scrape with `Authorization: Bearer <token>`.
   */
  metrics?: false | { token?: string | undefined; processMetrics?: boolean };
  now?: () => Date;
  /** How long a keyed device's access token lasts (default 15 minutes). */
  accessTokenSeconds?: number;
  /** Overrides of the limits in `limits/limit-settings.ts` (request budgets, caps, lockouts). */
  limits?: LimitOverrides;
  /** A built PWA to serve at `/` (the shop's `dist` folder). */
  staticDir?: string;
  /** How long a client may take to send a whole request (default 30 s); its headers get at most 10 s of it. */
  requestTimeoutMs?: number;
  /** The oldest protocol a device may speak and be served (default OLDEST_SERVED_PROTOCOL); older ones are told to update. */
  oldestProtocol?: number;
};

export type RunningServer = {
  url: string;
  port: number;
  store: Store;
  key: ServerKey;
  identity: IdentityStore;
  /** On a seeded server, a store owner's sign-in code made at start, for the console to show once. */
  ownerCode: string | undefined;
  /** Stops at once: every connection is cut, requests in flight and live streams alike. */
  close(): Promise<void>;
  /**
   * Stops as a node leaving a rolling upgrade should: it stops listening and
   * answers any new request `UNAVAILABLE` with Retry-After, lets the requests
   * in flight finish (pushes, batches and their commits), ends every live
   * stream and watch with `UNAVAILABLE` (devices open theirs again after the
   * Retry-After), then closes. After `timeoutMs` it cuts what is left, and
   * reports it; the drain's start and end are logged.
   */
  drain(options: { timeoutMs: number }): Promise<DrainReport>;
};

const ACCESS_TOKEN_SECONDS = 15 * 60;
/** How long a client may take to send its whole request, and its headers (a live stream's response is not bounded by these). */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

/** Starts the sync server over the PostgreSQL store `store` names, or the SQLite store in `dataDir`; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const metricsOptions = options.metrics === false ? undefined : (options.metrics ?? {});
  const metrics = metricsOptions ? serverMetrics({ processMetrics: metricsOptions.processMetrics ?? false, now }) : noMetrics;
  const parts = await openParts({
    dataDir: options.dataDir,
    store: options.store,
    keyFile: options.keyFile,
    poolSize: options.poolSize,
    limits: options.limits,
    now: options.now,
    onError: (part, error) => logger.error({ part, error: String(error) }, `${part} error`),
    onGroup: metrics.commitGroup,
  });
  const { store, key, identity, images, limits } = parts;
  const ownerCode = options.seed
    ? await seedServer({ app: options.app, store, identity, images, key, dataDir: options.dataDir, now: now() })
    : undefined;
  const drain = nodeDrain();
  const deps: ServerDeps = {
    app: options.app,
    store,
    key,
    identity,
    syncgroups: syncgroupsOf(identity, options.app),
    accessTokenSeconds: options.accessTokenSeconds ?? ACCESS_TOKEN_SECONDS,
    limits,
    devSignIn: options.seed ?? false,
    oldestProtocol: options.oldestProtocol ?? OLDEST_SERVED_PROTOCOL,
    metrics,
    drain,
    now,
  };

  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = isLoopback(host);
  const app = options.staticDir ? staticFiles(options.staticDir) : undefined;
  const imageRoute = imageRoutes(deps, images);
  const names = requestNames(appRouter);
  const requests = handleRequests(route, { logger, metrics, names });
  const admission = requestAdmission(deps, {
    subscriptions: subscriptionsOf(appRouter),
    onRefused: (req, error) =>
      requests.notes.setRefusal(req, { error: error.code, reason: error.code === 'INTERNAL' ? String(error.cause) : error.message }),
  });
  const trpc = trpcHttpHandler(deps, { admission, onRefused: requests.notes.setRefusal, onPrincipal: requests.notes.setPrincipal });
  const push = pushRoute(deps, requests.notes);
  const deviceStreams = deviceStreamRoute(deps, { admission, notes: requests.notes });

  function route(req: IncomingMessage, res: ServerResponse) {
    if (loopbackOnly && !namesLoopback(req.headers.host, host)) {
      throw new PouroverError('FORBIDDEN', 'this server listens on loopback and answers only requests for localhost');
    }
    const path = req.url?.split('?')[0] ?? '/';
    if (drain.draining) {
      res.setHeader('connection', 'close');
      throw new PouroverError('UNAVAILABLE', DRAINING);
    }
    const name = names.of(path);
    drain.track(res, { name: `${req.method} ${name.procedure}`, stream: name.stream });
    if (path.startsWith('/trpc/')) {
      // Procedures are named exactly (a batch joins names with commas): a name tRPC would find only after trimming or
      // decoding the path would pass admission's and the plain routes' exact checks unseen, a live stream its limits.
      if (!/^[A-Za-z][A-Za-z0-9.,]*$/.test(path.slice('/trpc/'.length))) {
        return json(res, 404, errorBody('NOT_FOUND', `no procedure at ${path}: procedures are named exactly, as /trpc/sync.push`));
      }
      // tRPC would answer 415 before its error table applies; every bad input is a 400 here.
      if (req.method === 'POST' && !req.headers['content-type']?.startsWith('application/json')) {
        return json(res, 400, errorBody('BAD_INPUT', 'requests carry JSON (content-type: application/json)'));
      }
      if (push(req, res)) return undefined;
      if (deviceStreams.takes(req, path)) return admission.admit(req, res, () => deviceStreams.serve(req, res));
      return admission.admit(req, res, () => void trpc(req, res));
    }
    if (req.method === 'GET' && path === '/healthz') return answerLiveness(res, store);
    if (req.method === 'GET' && path === '/readyz') return answerReadiness(res, { store, identity });
    if (req.method === 'GET' && path === '/metrics') {
      return answerMetrics(req, res, { metrics, token: metricsOptions?.token });
    }
    if (imageRoute(req, res, path)) return undefined;
    if (app?.(req, res, path)) return undefined;
    return json(res, 404, errorBody('NOT_FOUND', `no route for ${req.method} ${path}`));
  }

  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // A client that sends its headers or body slowly holds a connection for seconds, not Node's default minutes.
  const timeouts = {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    connectionsCheckingInterval: Math.min(5_000, requestTimeout / 2),
  };
  const server = createServer(timeouts, requests.handle);
  answerClientErrors(server, requestTimeout);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    // A port already taken, say: nothing the node opened is left behind.
    await parts.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  let listening: Promise<void> | undefined;
  /** Stops taking connections (and closes idle kept-alive ones); resolves once every connection is gone. */
  const stopListening = () => (listening ??= new Promise<void>((resolve) => server.close(() => resolve())));
  async function closeNow() {
    const closed = stopListening();
    server.closeAllConnections();
    await closed;
    await parts.close();
  }

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    key,
    identity,
    ownerCode,
    close: closeNow,
    async drain({ timeoutMs }) {
      logger.info({ ...drain.counts(), timeoutMs }, 'draining: finishing the requests in flight and ending live streams');
      // No new connection; idle kept-alive ones are closed, and a request on one still open is refused (UNAVAILABLE).
      void stopListening();
      const report = await drain.settle(timeoutMs);
      if (report.requests.length > 0 || report.streams > 0) {
        logger.warn({ ...report, timeoutMs }, 'drained until the timeout: cutting the requests and streams still open');
      } else {
        logger.info({ ms: report.ms }, 'drained: every request in flight finished and every live stream ended');
      }
      await closeNow();
      return report;
    },
  };
}
