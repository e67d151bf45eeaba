import { errorCode, type ErrorCode } from '@pourover/protocol';
import { TRPCClientError } from '@trpc/client';
import type { Credentials } from './device-credentials.ts';

const RATE_LIMIT_RETRIES = 5;
/** How often a call the server refused as UNAVAILABLE is sent again, each after its Retry-After: enough to ride out a database restart or failover. */
const UNAVAILABLE_RETRIES = 20;

/** The Pourover code of a failed call, if the server gave one of the protocol's. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const code = errorCode.safeParse((error.data as { code?: unknown } | undefined)?.code);
  return code.success ? code.data : undefined;
}

/** How long a refused call asks us to wait (its Retry-After header, 1 s without one), in milliseconds. */
export function retryAfterMs(error: unknown): number {
  const response = (error as { meta?: { response?: { headers?: { get(name: string): string | null } } } }).meta?.response;
  const seconds = Number(response?.headers?.get('retry-after') ?? 1);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000;
}

/** A wait of at least `ms`, and up to half again, so that devices refused together do not come back together. */
function jittered(ms: number): number {
  return ms * (1 + Math.random() / 2);
}

/**
 * Runs a server call, recovering from what the device can fix itself: an
 * expired access token is refreshed once and the call repeated; a rate
 * limit or an UNAVAILABLE server is waited out as the server asks (the
 * request changed nothing, or it is one the server takes twice without a
 * change). Anything else is the caller's.
 */
export async function withRecovery<T>(credentials: Credentials, call: () => Promise<T>): Promise<T> {
  let refreshed = false;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const code = errorCodeOf(error);
      if (code === 'UNAUTHENTICATED' && !refreshed) {
        refreshed = true;
        if (await credentials.refresh()) continue;
      }
      if ((code === 'RATE_LIMITED' && attempt < RATE_LIMIT_RETRIES) || (code === 'UNAVAILABLE' && attempt < UNAVAILABLE_RETRIES)) {
        await new Promise((resolve) => setTimeout(resolve, code === 'UNAVAILABLE' ? jittered(retryAfterMs(error)) : retryAfterMs(error)));
        continue;
      }
      throw error;
    }
  }
}

/** Credentials for a fixed token, or a function returning the current one: nothing to refresh. */
export function fixedCredentials(blessing: string | (() => string)): Credentials {
  const token = typeof blessing === 'string' ? () => blessing : blessing;
  return { token, refresh: async () => false };
}
