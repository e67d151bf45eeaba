import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSettings, Lockout } from './limit-settings.ts';
import type { Limiters } from './limiters.ts';
import { consumeOrRefuse, RateLimited, secondsBeforeNext } from './rate-limited.ts';

/** Who calls a public endpoint: the client address, and the email it names (sign-in and sign-up). */
export type Caller = { address: string; email?: string | undefined };

type Locker = { limiter: RateLimiterAbstract; lockout: Lockout };

const emailKey = (email: string) => email.toLowerCase();

/**
 * What holds the public endpoints (sign-in, sign-up, dev sign-in, pairing
 * redemption, refresh): a budget of calls per address, and a lockout per
 * address and per email after repeated failures (a wrong password, a wrong
 * pairing code, a bad refresh proof). An unknown email is counted exactly
 * as a known one, so the refusals tell nothing about which accounts exist.
 */
export class PublicAttempts {
  readonly #calls: RateLimiterAbstract;
  readonly #byAddress: Locker;
  readonly #byEmail: Locker;

  constructor(limiters: Limiters, settings: LimitSettings) {
    this.#calls = limiters.shared('public-calls', settings.address.publicCalls);
    const locker = (name: string, lockout: Lockout): Locker => ({ limiter: limiters.shared(name, { points: lockout.failures, seconds: lockout.seconds }), lockout });
    this.#byAddress = locker('failures-by-address', settings.address.failures);
    this.#byEmail = locker('failures-by-email', settings.email.failures);
  }

  /** Counts a call; refuses it if its address is over its budget or it, or the email, is locked out. */
  async admit(caller: Caller): Promise<void> {
    await refuseIfLocked(this.#byAddress, caller.address, (seconds) => `too many failed attempts from your address; try again in ${seconds} s`);
    if (caller.email !== undefined) {
      await refuseIfLocked(this.#byEmail, emailKey(caller.email), (seconds) => `too many failed sign-ins for this email; try again in ${seconds} s`);
    }
    await consumeOrRefuse(this.#calls, caller.address, (seconds) => `too many sign-in and pairing calls from your address; try again in ${seconds} s`);
  }

  /** Counts a failure against the address and the email; the one that reaches its count is locked out. */
  async failed(caller: Caller): Promise<void> {
    await countFailure(this.#byAddress, caller.address);
    if (caller.email !== undefined) await countFailure(this.#byEmail, emailKey(caller.email));
  }

  /** A right password clears its email's failures (an address's stay: it may be guessing several accounts). */
  async succeeded(caller: Caller): Promise<void> {
    if (caller.email !== undefined) await this.#byEmail.limiter.delete(emailKey(caller.email));
  }
}

async function refuseIfLocked(locker: Locker, key: string, refusal: (seconds: number) => string) {
  const counted = await locker.limiter.get(key);
  if (counted && counted.consumedPoints >= locker.lockout.failures) {
    const seconds = secondsBeforeNext(counted);
    throw new RateLimited(refusal(seconds), seconds);
  }
}

async function countFailure(locker: Locker, key: string) {
  let reached: boolean;
  try {
    reached = (await locker.limiter.consume(key)).consumedPoints >= locker.lockout.failures;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    reached = true;
  }
  if (reached) await locker.limiter.block(key, locker.lockout.lockSeconds);
}
