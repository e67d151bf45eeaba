import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpStatusOf, MAX_BATCH_CALLS, PROTOCOL_VERSION, type ErrorCode } from '@pourover/protocol';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { STORE } from '@pourover/schemas';
import { appRouter } from './app-router.ts';
import { signBlessing } from './auth/blessing-token.ts';
import type { IdentityStore } from './auth/identity-store.ts';
import { openIdentityStore } from './auth/open-identity-store.ts';
import { loadServerKey, type ServerKey } from './auth/server-key.ts';
import { defaultLimits, RateLimited, RequestLimits, type LimitSettings } from './limits.ts';
import { createContext } from './context.ts';
import { pouroverCodeOfTrpc, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors.ts';
import { syncgroupsOf } from './permissions.ts';
import { answerReadiness } from './readiness.ts';
import type { Image } from './images.ts';
import { demoCatalogImages } from './seed/demo-catalog.ts';
import { seedDemo, seedDemoAccount } from './seed/seed.ts';
import { staticFiles } from './static-files.ts';
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
  limits?: Partial<LimitSettings>;
  /** A built PWA to serve at `/` (the shop's `dist` folder). */
  staticDir?: string;
};

export type RunningServer = {
  url: string;
  port: number;
  store: Store;
  key: ServerKey;
  identity: IdentityStore;
  close(): Promise<void>;
};

const ACCESS_TOKEN_SECONDS = 15 * 60;

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
  if (options.seed) {
    await seedDemo(store, now());
    await seedDemoAccount(identity, now());
    // The demo's store credentials, for the order processor run beside it (owner-only file); on PostgreSQL with a key
    // file elsewhere, nothing else has created the data folder yet.
    mkdirSync(options.dataDir, { recursive: true });
    const token = signBlessing(key, { name: STORE, ttlSeconds: DEMO_STORE_TOKEN_SECONDS, now: now() });
    writeFileSync(join(options.dataDir, 'store.token'), `${token}\n`, { mode: 0o600 });
  }
  const deps: ServerDeps = {
    store,
    key,
    identity,
    syncgroups: syncgroupsOf(identity),
    accessTokenSeconds: options.accessTokenSeconds ?? ACCESS_TOKEN_SECONDS,
    limits: new RequestLimits({ ...defaultLimits, ...options.limits }),
    devSignIn: options.seed ?? false,
    now,
  };
  const app = options.staticDir ? staticFiles(options.staticDir) : undefined;
  const images = new Map<string, Image>(demoCatalogImages().map((image) => [image.hash, image]));
  const blessings = new WeakMap<IncomingMessage, string>();
  /** Why a request was refused, for its log line (codes and messages only: never a token). */
  const refusals = new WeakMap<IncomingMessage, { error: string; reason: string }>();

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
      const context = createContext(deps, request);
      if (context.principal) blessings.set(request.req, context.principal.name);
      return context;
    },
  });

  const server = createServer((req, res) => {
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
    route(req, res);
  });

  function route(req: IncomingMessage, res: ServerResponse) {
    const path = req.url?.split('?')[0] ?? '/';
    if (path.startsWith('/trpc/')) {
      // tRPC would answer 415 before its error table applies; every bad input is a 400 here.
      if (req.method === 'POST' && !req.headers['content-type']?.startsWith('application/json')) {
        return json(res, 400, errorBody('BAD_INPUT', 'requests carry JSON (content-type: application/json)'));
      }
      return trpc(req, res);
    }
    if (req.method === 'GET' && path === '/healthz') {
      return json(res, 200, { ok: true, version: SERVER_VERSION, store: store.kind, protocol: PROTOCOL_VERSION });
    }
    if (req.method === 'GET' && path === '/readyz') return answerReadiness(res, { store, identity });
    const image = /^\/images\/([0-9a-f]{64})\.svg$/.exec(path);
    if (req.method === 'GET' && image) {
      const found = images.get(image[1] ?? '');
      if (!found) return json(res, 404, errorBody('NOT_FOUND', 'no such image'));
      res.writeHead(200, {
        'content-type': 'image/svg+xml',
        'cache-control': 'public, max-age=31536000, immutable',
        etag: `"${found.hash}"`,
      });
      return res.end(found.svg);
    }
    if (app?.(req, res, path)) return undefined;
    return json(res, 404, errorBody('NOT_FOUND', `no route for ${req.method} ${path}`));
  }

  // Node refuses a request whose URL or headers are too large before any handler runs; answer it typed.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const body = tooLarge
      ? errorBody('TOO_LARGE', 'the request line and headers exceed the server limit')
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
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    key,
    identity,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
      await identity.close();
    },
  };
}

/** An error outside tRPC, shaped as tRPC's errors are, so clients read every refusal alike. */
function errorBody(code: ErrorCode, message: string) {
  return { error: { message, data: { code, httpStatus: httpStatusOf[code] } } };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
