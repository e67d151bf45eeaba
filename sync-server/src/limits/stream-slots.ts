import { credentialOf, type Principal } from '@pourover/schemas';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitSettings } from './limit-settings.ts';
import { RateLimited } from './rate-limited.ts';
import { accountOf } from './requester.ts';

/** How long a stream refused for a full cap is told to wait before trying again. */
const STREAM_RETRY_SECONDS = 5;

type Level = { limiter: RateLimiterMemory; key: (principal: Principal, address: string) => string | undefined; refusal: string };

/**
 * Live streams open at once, per blessing, per account (all its devices),
 * per client address and on the whole node. Counts that never expire: a
 * stream takes one place at each level when it opens and gives it back when
 * its response closes. They count on each node, as the streams' memory is
 * the node's.
 */
export class StreamSlots {
  readonly #levels: Level[];

  constructor(settings: LimitSettings) {
    const level = (name: string, points: number, key: Level['key'], refusal: string): Level => ({
      limiter: new RateLimiterMemory({ keyPrefix: name, points, duration: 0 }),
      key,
      refusal,
    });
    this.#levels = [
      level(
        'streams-by-blessing',
        settings.device.streams,
        (principal) => (principal.kind === 'store' ? undefined : credentialOf(principal)),
        `this device already has ${settings.device.streams} live streams open`,
      ),
      level(
        'streams-by-store',
        settings.store.streams,
        (principal) => (principal.kind === 'store' ? principal.name : undefined),
        `the store already has ${settings.store.streams} live streams open (its workers' and its dashboards')`,
      ),
      level(
        'streams-by-account',
        settings.account.streams,
        accountOf,
        `this account’s devices already have ${settings.account.streams} live streams open; close one (another tab or device) first`,
      ),
      level(
        'streams-by-address',
        settings.address.streams,
        (_principal, address) => address,
        `your address already has ${settings.address.streams} live streams open`,
      ),
      level('streams-on-node', settings.node.streams, () => 'node', 'this server has as many live streams open as it takes'),
    ];
  }

  /** Takes a place at every level for one stream, or refuses (taking none); resolves with the function that gives them back. */
  async take(principal: Principal, address: string): Promise<() => void> {
    const taken: { limiter: RateLimiterMemory; key: string }[] = [];
    // A key back at zero is dropped, so the counts hold only what is open. (A stream that opens between the
    // give-back and the drop goes uncounted until it closes: one place at most, never a stuck count.)
    const giveBack = () => {
      for (const { limiter, key } of taken.splice(0)) {
        void limiter.reward(key, 1).then((left) => (left.consumedPoints <= 0 ? limiter.delete(key) : undefined));
      }
    };
    for (const { limiter, key: keyOf, refusal } of this.#levels) {
      const key = keyOf(principal, address);
      if (key === undefined) continue;
      // Counted even when refused (the library counts every try): given back with the rest.
      taken.push({ limiter, key });
      try {
        await limiter.consume(key, 1);
      } catch (error) {
        giveBack();
        if (error instanceof RateLimiterRes)
          throw new RateLimited(`${refusal}; try again in ${STREAM_RETRY_SECONDS} s`, STREAM_RETRY_SECONDS);
        throw error;
      }
    }
    return giveBack;
  }
}
