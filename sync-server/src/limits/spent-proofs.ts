import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Limiters } from './limiters.ts';

/**
 * Refresh proofs already taken: a signed refresh request is good for one
 * access token, so one copied from a proxy's log or replayed on the wire
 * gets nothing. A proof is remembered as long as it could still be taken
 * (its window on either side of the server's clock), by every node of one
 * PostgreSQL database.
 */
export class SpentProofs {
  readonly #spent: RateLimiterAbstract;

  constructor(limiters: Limiters, windowMs: number) {
    this.#spent = limiters.shared('spent-refresh-proofs', { points: 1, seconds: Math.ceil((2 * windowMs) / 1000) });
  }

  /** Takes a proof; false if it was taken before. */
  async spend(proof: string): Promise<boolean> {
    try {
      await this.#spent.consume(proof, 1);
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }
}
