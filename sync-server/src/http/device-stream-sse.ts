import type { IncomingMessage, ServerResponse } from 'node:http';
import { PouroverError, streamInput } from '@pourover/protocol';
import { TRPCError } from '@trpc/server';
import { getErrorShape, getTRPCErrorFromUnknown } from '@trpc/server/unstable-core-do-not-import';
import type { Admission } from '../limits/admission.ts';
import { streamOfContext } from '../sync/device-stream.ts';
import { appRouter } from '../trpc/app-router.ts';
import { admitCall, callerOf } from '../trpc/call-checks.ts';
import { createContext } from '../trpc/context.ts';
import { pouroverCodeOfTrpc, toTrpcError } from '../trpc/errors.ts';
import type { Context, ServerDeps } from '../trpc/trpc.ts';
import type { RequestNotes } from './request-log.ts';
import { refuse } from './responses.ts';

const PROCEDURE = 'sync.stream';
const PATH = `/trpc/${PROCEDURE}`;
const config = appRouter._def._config;
/** What tRPC's SSE producer sends (its `sseHeaders`). */
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};
const CONNECTED = namedEvent('connected', JSON.stringify(config.sse?.client ?? {}));
const PING = namedEvent('ping', '');
const RETURN = namedEvent('return', '');
const PING_MS = config.sse?.ping?.enabled ? (config.sse.ping.intervalMs ?? 1_000) : undefined;

export type DeviceStreamRoute = {
  /** Whether this route serves the request: a device's live stream as tRPC's `httpSubscriptionLink` opens it. */
  takes(req: IncomingMessage, path: string): boolean;
  /** Serves a stream already let through the stream admission (its ticket redeemed, its places taken). */
  serve(req: IncomingMessage, res: ServerResponse): void;
};

/**
 * The device's live stream (`sync.stream`) written straight to the response as
 * server-sent events, byte for byte what tRPC's SSE producer writes (events
 * `connected`, tracked data with ids, `ping`, `serialized-error`, `return`),
 * so the client's `httpSubscriptionLink` reads it as before. tRPC holds four
 * web streams, seven abort controllers and seventeen generators for each
 * stream; this holds the stream's one generator, an abort controller and a
 * ping timer. The procedure's checks run here as in tRPC's middleware:
 * request budgets, the client's protocol, the principal, the input.
 */
export function deviceStreamRoute(deps: ServerDeps, options: { admission: Admission; notes: RequestNotes }): DeviceStreamRoute {
  const refused = (req: IncomingMessage, error: TRPCError) => {
    const code = pouroverCodeOfTrpc(error);
    options.notes.setRefusal(req, { error: code, reason: code === 'INTERNAL' ? String(error.cause ?? error.message) : error.message });
    return namedEvent(
      'serialized-error',
      JSON.stringify(serialize(getErrorShape({ config, error, type: 'subscription', path: PROCEDURE, input: undefined, ctx: undefined }))),
    );
  };

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const ctx = createContext(deps, req, options.admission.principalOf(req));
    if (ctx.principal) options.notes.setPrincipal(req, ctx.principal.name);
    const abort = new AbortController();
    let ping: NodeJS.Timeout | undefined;
    res.once('close', () => {
      abort.abort();
      clearTimeout(ping);
    });
    let opened: { principal: NonNullable<Context['principal']>; lastEventId: string | null | undefined };
    try {
      opened = await openedStream(ctx, req);
    } catch (error) {
      const typed = error instanceof PouroverError ? toTrpcError(error) : getTRPCErrorFromUnknown(error);
      res.writeHead(200, SSE_HEADERS);
      res.write(CONNECTED);
      return void res.end(refused(req, typed));
    }
    if (res.destroyed) return;
    res.writeHead(200, SSE_HEADERS);
    res.write(CONNECTED);
    if (PING_MS !== undefined) {
      // A ping after every quiet interval, as tRPC's: the client reconnects when it hears nothing for a while.
      ping = setTimeout(function pinged() {
        if (!res.writableNeedDrain) res.write(PING);
        ping?.refresh();
      }, PING_MS);
    }
    try {
      for await (const [id, data] of streamOfContext({ ...ctx, principal: opened.principal }, opened.lastEventId, abort.signal)) {
        if (res.destroyed) break;
        ping?.refresh();
        if (!res.write(`data: ${JSON.stringify(serialize(data))}\nid: ${id}\n\n\n`)) await drained(res);
      }
      if (!res.destroyed) res.write(RETURN);
    } catch (error) {
      if (!res.destroyed) res.write(refused(req, getTRPCErrorFromUnknown(error)));
    } finally {
      clearTimeout(ping);
      res.end();
    }
  }

  return {
    takes: (req, path) => req.method === 'GET' && path === PATH && !/[?&]batch=/.test(req.url ?? ''),
    serve(req, res) {
      // The one boundary for what the stream's own code throws outside its events: answered typed, never an unhandled rejection.
      serve(req, res).catch((error: unknown) => {
        options.notes.setRefusal(req, { error: 'INTERNAL', reason: String(error) });
        refuse(res, 'INTERNAL', 'internal server error');
      });
    },
  };
}

/**
 * What the procedure checks before it opens the stream, in its order: the call's budgets and protocol and its principal
 * (call-checks.ts, as tRPC's middleware runs them), then the input, which carries the id of the last event the client
 * saw (a `Last-Event-Id` header or query parameter overrides it, as in tRPC).
 */
async function openedStream(ctx: Context, req: IncomingMessage) {
  await admitCall(ctx);
  const principal = await callerOf(ctx);
  const input = streamInput.safeParse(rawInput(req));
  if (!input.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: input.error });
  return { principal, lastEventId: input.data.lastEventId };
}

/** The stream's input as tRPC reads it from a GET request. */
function rawInput(req: IncomingMessage): unknown {
  const url = new URL(req.url ?? '/', 'http://server');
  let input: unknown;
  const query = url.searchParams.get('input');
  if (query) {
    try {
      input = config.transformer.input.deserialize(JSON.parse(query));
    } catch (cause) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
    }
  }
  const header = req.headers['last-event-id'];
  const lastEventId =
    (typeof header === 'string' ? header : undefined) ?? url.searchParams.get('lastEventId') ?? url.searchParams.get('Last-Event-Id');
  if (!lastEventId) return input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return { ...input, lastEventId };
  return input ?? { lastEventId };
}

function serialize(value: unknown): unknown {
  return config.transformer.output.serialize(value);
}

/** An event as tRPC's producer writes it: its lines, then the two line breaks it ends every event with. */
function namedEvent(name: string, data: string): string {
  return `event: ${name}\ndata: ${data}\n\n\n`;
}

/** Resolves once the response's buffer has drained, or its connection closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
