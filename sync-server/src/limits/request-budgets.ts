import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSettings } from './limit-settings.ts';
import type { Limiters } from './limiters.ts';
import { consumeOrRefuse } from './rate-limited.ts';
import { accountOf, type Requester } from './requester.ts';

/**
 * Request budgets: each call counts against its client address, and a
 * device's also against the device and its whole account, so a shopper's
 * devices share one budget however many names they sign in under. They
 * count on each node (a database write per request would cost more than
 * the request: see docs/decisions/limits-per-node.md). The store's own
 * workers are not held to them.
 */
export class RequestBudgets {
  readonly #address: RateLimiterAbstract;
  readonly #device: RateLimiterAbstract;
  readonly #account: RateLimiterAbstract;

  constructor(limiters: Limiters, settings: LimitSettings) {
    this.#address = limiters.perNode('requests-by-address', settings.address.requests);
    this.#device = limiters.perNode('requests-by-device', settings.device.requests);
    this.#account = limiters.perNode('requests-by-account', settings.account.requests);
  }

  async charge({ principal, address }: Requester): Promise<void> {
    if (principal?.kind === 'store') return;
    await consumeOrRefuse(this.#address, address, (seconds) => `too many requests from your address; try again in ${seconds} s`);
    const account = principal && accountOf(principal);
    if (!principal || !account) return;
    await consumeOrRefuse(this.#device, principal.name, (seconds) => `too many requests from ${principal.name}; try again in ${seconds} s`);
    await consumeOrRefuse(this.#account, account, (seconds) => `too many requests from this account’s devices; try again in ${seconds} s`);
  }
}
