import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf, MAX_BATCH_CALLS } from '@pourover/protocol';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Admission } from '../limits/admission.ts';
import { RateLimited } from '../limits/rate-limited.ts';
import { appRouter } from './app-router.ts';
import { createContext } from './context.ts';
import { pouroverCodeOfTrpc, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors.ts';
import type { ServerDeps } from './trpc.ts';

/** The largest request body the server reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

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
    responseMeta: ({ errors }) => {
      const [first] = errors;
      if (!first) return {};
      const status = httpStatusOf[pouroverCodeOfTrpc(first)];
      if (status === httpStatusOf.UNAVAILABLE) return { status, headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } };
      return first.cause instanceof RateLimited
        ? { status, headers: { 'retry-after': String(first.cause.retryAfterSeconds) } }
        : { status };
    },
    onError: ({ error, req }) => {
      const code = pouroverCodeOfTrpc(error);
      options.onRefused(req, { error: code, reason: code === 'INTERNAL' ? String(error.cause ?? error.message) : error.message });
    },
    createContext: (request) => {
      const context = createContext(deps, request.req, options.admission.principalOf(request.req));
      if (context.principal) options.onPrincipal(request.req, context.principal.name);
      return context;
    },
  });
}
