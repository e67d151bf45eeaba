import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpStatusOf, MAX_BATCH_CALLS, PouroverError, PROTOCOL_VERSION } from '@pourover/protocol';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { STORE } from '@pourover/schemas';
import { appRouter } from './app-router.ts';
import { signBlessing } from './auth/blessing-token.ts';
import type { IdentityStore } from './auth/identity-store.ts';
import { openIdentityStore } from './auth/open-identity-store.ts';
import { createOwnerCode } from './auth/owner-code.ts';
import { loadServerKey, type ServerKey } from './auth/server-key.ts';
import type { LimitOverrides } from './limits/limit-settings.ts';
import { openLimits } from './limits/open-limits.ts';
import { RateLimited } from './limits/rate-limited.ts';
import { admission as requestAdmission, subscriptionsOf } from './limits/admission.ts';
import { createContext } from './context.ts';
import { pouroverCodeOfTrpc, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors.ts';
import { syncgroupsOf } from './permissions.ts';
import { answerReadiness } from './readiness.ts';
import { imageRoutes } from './images/image-routes.ts';
import { openImageStore } from './images/open-image-store.ts';
import { namesLoopback, isLoopback } from './http/loopback-host.ts';
import { errorBody, json, refuse } from './http/responses.ts';
import { setCommonHeaders } from './http/security-headers.ts';
import { staticFiles } from './http/static-files.ts';
import { seedDemo, seedDemoAccount } from './seed/seed.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';
import type { ServerDeps } from './trpc.ts';
import { SERVER_VERSION } from './version.ts';

/** How long the demo's store token lasts. */
const DEMO_STORE_TOKEN_SECONDS = 30 * 24 * 3600;

/** The largest request body the server reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type LogLine = Record<string, string | number | boolean | undefined>;

export type ServerOptions = {
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
  log?: (line: LogLine) => void;
  now?: () => Date;
  /** How long a keyed device's access token lasts (default 15 minutes). */
  accessTokenSeconds?: number;
  /** Overrides of the limits in `limits/limit-settings.ts` (request budgets, caps, lockouts). */
  limits?: LimitOverrides;
  /** A built PWA to serve at `/` (the shop's `dist` folder). */
  staticDir?: string;
  /** How long a client may take to send a whole request (default 30 s); its headers get at most 10 s of it. */
  requestTimeoutMs?: number;
};

export type RunningServer = {
  url: string;
  port: number;
  store: Store;
  key: ServerKey;
  identity: IdentityStore;
  /** On a seeded server, a store owner's sign-in code made at start, for the console to show once. */
  ownerCode: string | undefined;
  close(): Promise<void>;
};

const ACCESS_TOKEN_SECONDS = 15 * 60;
/** How long a client may take to send its whole request, and its headers (a live stream's response is not bounded by these). */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

/** Starts the sync server over the PostgreSQL store `store` names, or the SQLite store in `dataDir`; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  // Only a clock given for tests overrides PostgreSQL's own, which every node shares.
  const store = await openStore({
    dataDir: options.dataDir,
    store: options.store,
    poolSize: options.poolSize,
    now: options.now,
    onError: (error) => log({ t: now().toISOString(), store: 'error', message: String(error) }),
  });
  const key = loadServerKey(options.keyFile ?? join(options.dataDir, 'server-key.pem'));
  let identity: IdentityStore;
  try {
    identity = await openIdentityStore({ dataDir: options.dataDir, store: options.store, key, onError: (error) => log({ t: now().toISOString(), identity: 'error', message: String(error) }) });
  } catch (error) {
    await store.close();
    throw error;
  }
  const images = await openImageStore({ dataDir: options.dataDir, store: options.store, onError: (error) => log({ t: now().toISOString(), images: 'error', message: String(error) }) });
  const limits = openLimits({ overrides: options.limits, store: options.store, onError: (error) => log({ t: now().toISOString(), limits: 'error', message: String(error) }) });
  let ownerCode: string | undefined;
  if (options.seed) {
    await seedDemo(store, now(), images);
    await seedDemoAccount(identity, now());
    // The demo's store credentials, for the order processor run beside it (owner-only file); on PostgreSQL with a key
    // file elsewhere, nothing else has created the data folder yet.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const token = signBlessing(key, { name: STORE, ttlSeconds: DEMO_STORE_TOKEN_SECONDS, now: now() });
    writeFileSync(join(options.dataDir, 'store.token'), `${token}\n`, { mode: 0o600 });
    ownerCode = await createOwnerCode(identity, now());
  }
  const deps: ServerDeps = {
    store,
    key,
    identity,
    syncgroups: syncgroupsOf(identity),
    accessTokenSeconds: options.accessTokenSeconds ?? ACCESS_TOKEN_SECONDS,
    limits,
    devSignIn: options.seed ?? false,
    now,
  };
  const app = options.staticDir ? staticFiles(options.staticDir) : undefined;
  const imageRoute = imageRoutes(deps, images);
  const blessings = new WeakMap<IncomingMessage, string>();
  /** Why a request was refused, for its log line (codes and messages only: never a token). */
  const refusals = new WeakMap<IncomingMessage, { error: string; reason: string }>();
  const admission = requestAdmission(deps, {
    subscriptions: subscriptionsOf(appRouter),
    onRefused: (req, error) => refusals.set(req, { error: error.code, reason: error.code === 'INTERNAL' ? String(error.cause) : error.message }),
  });

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: MAX_BODY_BYTES,
    maxBatchSize: MAX_BATCH_CALLS,
    // Every refusal answers with the HTTP status of its Pourover code, whatever tRPC would pick.
    responseMeta: ({ errors }) => {
      const [first] = errors;
      if (!first) return {};
      const status = httpStatusOf[pouroverCodeOfTrpc(first)];
      if (status === httpStatusOf.UNAVAILABLE) return { status, headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } };
      return first.cause instanceof RateLimited ? { status, headers: { 'retry-after': String(first.cause.retryAfterSeconds) } } : { status };
    },
    onError: ({ error, req }) => {
      const code = pouroverCodeOfTrpc(error);
      refusals.set(req, { error: code, reason: code === 'INTERNAL' ? String(error.cause ?? error.message) : error.message });
    },
    createContext: (request) => {
      const context = createContext(deps, request.req, admission.principalOf(request.req));
      if (context.principal) blessings.set(request.req, context.principal.name);
      return context;
    },
  });

  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = isLoopback(host);

  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // A client that sends its headers or body slowly holds a connection for seconds, not Node's default minutes.
  const timeouts = {
    requestTimeout,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
    connectionsCheckingInterval: Math.min(5_000, requestTimeout / 2),
  };
  const server = createServer(timeouts, (req, res) => {
    const started = performance.now();
    res.on('close', () => {
      log({
        t: now().toISOString(),
        method: req.method,
        path: req.url?.split('?')[0],
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        blessing: blessings.get(req),
        ...refusals.get(req),
      });
    });
    // The one error boundary: nothing a request carries can end the process.
    try {
      setCommonHeaders(res);
      route(req, res);
    } catch (error) {
      if (error instanceof PouroverError) {
        refusals.set(req, { error: error.code, reason: error.message });
        return refuse(res, error.code, error.message);
      }
      refusals.set(req, { error: 'INTERNAL', reason: String(error) });
      refuse(res, 'INTERNAL', 'internal server error');
    }
  });

  function route(req: IncomingMessage, res: ServerResponse) {
    if (loopbackOnly && !namesLoopback(req.headers.host, host)) {
      throw new PouroverError('FORBIDDEN', 'this server listens on loopback and answers only requests for localhost');
    }
    const path = req.url?.split('?')[0] ?? '/';
    if (path.startsWith('/trpc/')) {
      // tRPC would answer 415 before its error table applies; every bad input is a 400 here.
      if (req.method === 'POST' && !req.headers['content-type']?.startsWith('application/json')) {
        return json(res, 400, errorBody('BAD_INPUT', 'requests carry JSON (content-type: application/json)'));
      }
      return admission.admit(req, res, () => void trpc(req, res));
    }
    if (req.method === 'GET' && path === '/healthz') {
      return json(res, 200, { ok: true, version: SERVER_VERSION, store: store.kind, protocol: PROTOCOL_VERSION });
    }
    if (req.method === 'GET' && path === '/readyz') return answerReadiness(res, { store, identity });
    if (imageRoute(req, res, path)) return undefined;
    if (app?.(req, res, path)) return undefined;
    return json(res, 404, errorBody('NOT_FOUND', `no route for ${req.method} ${path}`));
  }

  // Node refuses a request whose URL or headers are too large before any handler runs; answer it typed.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const body =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? errorBody('TOO_LARGE', 'the request line and headers exceed the server limit')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? errorBody('BAD_INPUT', `the request did not arrive within ${requestTimeout / 1000} s`)
          : errorBody('BAD_INPUT', 'malformed HTTP request');
    const status = httpStatusOf[body.error.data.code];
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    key,
    identity,
    ownerCode,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
      await identity.close();
      await images.close();
      await limits.close();
    },
  };
}
