import { RateLimiterRes } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { postgresLimiters } from './limiters.ts';

describe('shared limiters when their database cannot be reached', () => {
  it('count in memory instead, refusing past the budget as a refusal, never as an error', async () => {
    // Port 1 on loopback: nothing listens, so every query fails at once.
    const errors: unknown[] = [];
    const limiters = postgresLimiters('postgres://pourover@127.0.0.1:1/none', (error) => errors.push(error));
    try {
      const limiter = limiters.shared('insured', { points: 2, seconds: 60 });
      await limiter.consume('someone');
      await limiter.consume('someone');
      const refused = await limiter.consume('someone').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimiterRes);
      expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    } finally {
      await limiters.close();
    }
  });
});
