import { PouroverError } from '@pourover/protocol';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Refused for going over a limit; `retryAfterSeconds` becomes the response's Retry-After. */
export class RateLimited extends PouroverError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** Whole seconds until a refused key may try again (at least one). */
export const secondsBeforeNext = (refused: RateLimiterRes) => Math.max(1, Math.ceil(refused.msBeforeNext / 1000));

/**
 * Takes `points` from `key`'s budget, or throws RateLimited with the
 * sentence `refusal` makes from the seconds to wait. A limiter that fails
 * for another reason (its database is down and it has no insurance) throws
 * that error: a bug, not a refusal.
 */
export async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string, refusal: (seconds: number) => string, points = 1) {
  try {
    await limiter.consume(key, points);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const seconds = secondsBeforeNext(error);
    throw new RateLimited(refusal(seconds), seconds);
  }
}
