import type { IncomingMessage, ServerResponse } from 'node:http';
import { PouroverError, pushRequest } from '@pourover/protocol';
import { getErrorShape, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { pushCall } from '../sync/push.ts';
import { appRouter } from '../trpc/app-router.ts';
import { admitCall, callerOf } from '../trpc/call-checks.ts';
import { createContext } from '../trpc/context.ts';
import { toTrpcError } from '../trpc/errors.ts';
import { MAX_BODY_BYTES, refusalMeta, refusalNote } from '../trpc/http-handler.ts';
import type { Context, ServerDeps } from '../trpc/trpc.ts';
import type { RequestNotes } from './request-log.ts';

/** The one request this route answers: a device's `sync.push`, as tRPC's `httpLink` sends it. */
const PUSH_PATH = '/trpc/sync.push';
const PROCEDURE = 'sync.push';

/** Decodes a body as a Fetch `Request`'s `text()` does: UTF-8, a leading BOM dropped, bad bytes replaced. */
const utf8 = new TextDecoder();

/**
 * Answers `sync.push` on plain `node:http`, without tRPC's adapter (which
 * builds a Fetch Request, Headers, an AbortController and web streams for
 * each call: a third of the server's CPU under pushing devices). It runs
 * what the tRPC procedure runs, in its order (context, budgets, protocol,
 * authentication, body, input, the push) through the same functions, and
 * answers as tRPC would: the same JSON, status and headers, every refusal
 * noted for the log line and metrics. Only a plain call is taken (POST,
 * exactly this path, `application/json`, no query, no `trpc-accept`):
 * batches and anything unusual go on to tRPC. Returns whether it took the request.
 */
export function pushRoute(deps: ServerDeps, notes: RequestNotes): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (!isPlainPush(req)) return false;
    answerPush(deps, notes, req, res).catch((error: unknown) => {
      // Only a bug gets here (the answer itself failed): noted, and the connection cut, never the process.
      notes.setRefusal(req, { error: 'INTERNAL', reason: String(error) });
      res.destroy();
    });
    return true;
  };
}

function isPlainPush(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== PUSH_PATH || req.headers['trpc-accept'] !== undefined) return false;
  // tRPC's own test of the media type: case-insensitive, parameters after `;` ignored.
  return req.headers['content-type']?.toLowerCase().split(';', 1)[0]?.trim() === 'application/json';
}

async function answerPush(deps: ServerDeps, notes: RequestNotes, req: IncomingMessage, res: ServerResponse) {
  let ctx: Context;
  try {
    ctx = createContext(deps, req, undefined);
  } catch (error) {
    // As in tRPC, a context that cannot be made fails the call outside the procedure's typed errors.
    return refuse(notes, req, res, getTRPCErrorFromUnknown(error));
  }
  if (ctx.principal) notes.setPrincipal(req, ctx.principal.name);
  try {
    await admitCall(ctx);
    const principal = await callerOf(ctx);
    const parsed = pushRequest.safeParse(await readInput(req));
    if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
    send(res, 200, { result: { data: await pushCall(ctx, principal, parsed.data) } });
  } catch (thrown) {
    // The procedure's `typedErrors`: a Pourover error travels as the tRPC error of its code.
    const error = getTRPCErrorFromUnknown(thrown);
    refuse(notes, req, res, error.cause instanceof PouroverError ? toTrpcError(error.cause) : error);
  }
}

/**
 * The request's JSON body, read up to MAX_BODY_BYTES, failing as tRPC's
 * reading does: PAYLOAD_TOO_LARGE past the limit (the rest is let flow
 * by unread), BAD_REQUEST with the parser's message for malformed JSON; an
 * empty body is no input. A client gone before its body ended leaves the
 * call unanswered, as tRPC does: there is no one to answer.
 */
function readInput(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      reject(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
    };
    const onEnd = () => {
      const body = utf8.decode(Buffer.concat(chunks, size));
      try {
        resolve(body ? JSON.parse(body) : undefined);
      } catch (cause) {
        reject(new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause }));
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
  });
}

function refuse(notes: RequestNotes, req: IncomingMessage, res: ServerResponse, error: TRPCError) {
  notes.setRefusal(req, refusalNote(error));
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: 'mutation',
    path: PROCEDURE,
    input: undefined,
    ctx: undefined,
  });
  const meta = refusalMeta(error);
  send(res, meta.status, { error: shape }, meta.headers);
}

/** Writes the answer with the headers tRPC gives it. */
function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    vary: 'trpc-accept, accept',
    ...headers,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
