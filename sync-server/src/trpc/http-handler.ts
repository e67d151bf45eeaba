import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf, MAX_BATCH_CALLS, type ErrorCode } from '@pourover/protocol';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Admission } from '../limits/admission.ts';
import { RateLimited } from '../limits/rate-limited.ts';
import { appRouter } from './app-router.ts';
import { createContext } from './context.ts';
import { pouroverCodeOfTrpc, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors.ts';
import type { ServerDeps } from './trpc.ts';

/** The largest request body the server reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The status of a refusal's Pourover code, and Retry-After where it asks the client to come back. */
export function refusalMeta(error: TRPCError): { status: number; headers?: Record<string, string> } {
  const status = httpStatusOf[pouroverCodeOfTrpc(error)];
  if (status === httpStatusOf.UNAVAILABLE) return { status, headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } };
  return error.cause instanceof RateLimited ? { status, headers: { 'retry-after': String(error.cause.retryAfterSeconds) } } : { status };
}

/** A refusal as the request's log line and metrics note it: its code, and why (an internal error's cause). */
export function refusalNote(error: TRPCError): { error: ErrorCode; reason: string } {
  const code = pouroverCodeOfTrpc(error);
  return { error: code, reason: code === 'INTERNAL' ? String(error.cause ?? error.message) : error.message };
}

/**
 * The tRPC routes at `/trpc/`: each refusal answered with the HTTP status
 * of its Pourover code (and Retry-After where it asks to come back), each
 * told to `onRefused` for the request's log line, each principal to
 * `onPrincipal`.
 */
export function trpcHttpHandler(
  deps: ServerDeps,
  options: {
    admission: Admission;
    onRefused: (req: IncomingMessage, refusal: { error: string; reason: string }) => void;
    onPrincipal: (req: IncomingMessage, name: string) => void;
  },
): (req: IncomingMessage, res: ServerResponse) => void {
  return createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: MAX_BODY_BYTES,
    maxBatchSize: MAX_BATCH_CALLS,
    responseMeta: ({ errors }) => (errors[0] ? refusalMeta(errors[0]) : {}),
    onError: ({ error, req }) => options.onRefused(req, refusalNote(error)),
    createContext: (request) => {
      const context = createContext(deps, request.req, options.admission.principalOf(request.req));
      if (context.principal) options.onPrincipal(request.req, context.principal.name);
      return context;
    },
  });
}
