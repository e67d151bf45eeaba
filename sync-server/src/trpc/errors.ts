import { PouroverError, type ErrorCode } from '@pourover/protocol';
import { TRPCError } from '@trpc/server';

type TrpcCode = TRPCError['code'];

const trpcCodeOf: { readonly [K in ErrorCode]: TrpcCode } = {
  BAD_INPUT: 'BAD_REQUEST',
  TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // tRPC has no 426; the HTTP status comes from httpStatusOf (see http-handler.ts).
  UPDATE_NEEDED: 'PRECONDITION_REQUIRED',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** How long a client is asked to wait (the Retry-After of a 503) before sending again a request refused as `UNAVAILABLE`. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** tRPC's own refusals of a malformed request (bad JSON, wrong content type or method) are bad input too. */
const pouroverCodeOf = new Map<TrpcCode, ErrorCode>([
  ...Object.entries(trpcCodeOf).map(([ours, theirs]): [TrpcCode, ErrorCode] => [theirs, ours as ErrorCode]),
  ['PARSE_ERROR', 'BAD_INPUT'],
  ['UNSUPPORTED_MEDIA_TYPE', 'BAD_INPUT'],
  ['METHOD_NOT_SUPPORTED', 'BAD_INPUT'],
  ['UNPROCESSABLE_CONTENT', 'BAD_INPUT'],
]);

/** The tRPC error a Pourover error travels as, so its HTTP status follows the code table. */
export function toTrpcError(error: PouroverError): TRPCError {
  return new TRPCError({ code: trpcCodeOf[error.code], message: error.message, cause: error });
}

/** The Pourover code of any error tRPC reports (its own input and size errors included). */
export function pouroverCodeOfTrpc(error: TRPCError): ErrorCode {
  if (error.cause instanceof PouroverError) return error.cause.code;
  return pouroverCodeOf.get(error.code) ?? 'INTERNAL';
}
