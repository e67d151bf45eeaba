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
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

const pouroverCodeOf = new Map<TrpcCode, ErrorCode>(
  Object.entries(trpcCodeOf).map(([ours, theirs]) => [theirs, ours as ErrorCode]),
);

/** The tRPC error a Pourover error travels as, so its HTTP status follows the code table. */
export function toTrpcError(error: PouroverError): TRPCError {
  return new TRPCError({ code: trpcCodeOf[error.code], message: error.message, cause: error });
}

/** The Pourover code of any error tRPC reports (its own input and size errors included). */
export function pouroverCodeOfTrpc(error: TRPCError): ErrorCode {
  if (error.cause instanceof PouroverError) return error.cause.code;
  return pouroverCodeOf.get(error.code) ?? 'INTERNAL';
}
