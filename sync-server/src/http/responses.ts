import type { ServerResponse } from 'node:http';
import { httpStatusOf, type ErrorCode } from '@pourover/protocol';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../trpc/errors.ts';

/** An error outside tRPC, shaped as tRPC's errors are, so clients read every refusal alike. */
export function errorBody(code: ErrorCode, message: string) {
  return { error: { message, data: { code, httpStatus: httpStatusOf[code] } } };
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Answers with a typed error, unless an answer has already started (then the connection is cut); "not now" says when to come back. */
export function refuse(res: ServerResponse, code: ErrorCode, message: string) {
  if (res.headersSent) return void res.destroy();
  if (code === 'UNAVAILABLE') res.setHeader('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  json(res, httpStatusOf[code], errorBody(code, message));
}
