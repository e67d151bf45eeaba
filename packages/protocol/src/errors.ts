import { z } from 'zod';

/**
 * The closed set of error codes a Pourover server answers with. `UNAVAILABLE`
 * means "not now": the server cannot reach its database, or cannot yet be
 * sure its view of revocations is current; nothing was changed unless the
 * answer was lost, and the request is safe to send again after the
 * response's Retry-After. `UPDATE_NEEDED` means the device's app speaks a
 * protocol this server no longer serves: it must load the new version (its
 * unsent writes stay on the device and are sent after the update).
 */
export const errorCodes = [
  'BAD_INPUT',
  'TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PRECONDITION_FAILED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'UPDATE_NEEDED',
  'INTERNAL',
] as const;
export const errorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCode>;

/** The HTTP status each code is answered with. */
export const httpStatusOf: { readonly [K in ErrorCode]: number } = {
  BAD_INPUT: 400,
  TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PRECONDITION_FAILED: 412,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  UPDATE_NEEDED: 426,
  INTERNAL: 500,
};

/** The one error type of Pourover: a code from the closed set and a message a person can read. */
export class PouroverError extends Error {
  override readonly name = 'PouroverError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
