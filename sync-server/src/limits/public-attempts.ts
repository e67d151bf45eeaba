import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSettings, Lockout } from './limit-settings.ts';
import type { Limiters } from './limiters.ts';
import { consumeOrRefuse, RateLimited, secondsBeforeNext } from './rate-limited.ts';

/** Who calls a public endpoint: the client address, and the email it names (sign-in and sign-up). */
export type Caller = { address: string; email?: string | undefined };

type Locker = { limiter: RateLimiterAbstract; lockout: Lockout };

/** The procedures held by PublicAttempts: callable without a blessing, each a chance to guess a credential (the store owner's code too) or to make work. */
export const publicEndpoints: ReadonlySet<string> = new Set([
  'auth.signIn',
  'auth.signUp',
  'auth.devSignIn',
  'auth.redeemPairingCode',
  'auth.refresh',
  'auth.storeSignIn',
  'drivers.signIn',
]);

const emailKey = (email: string) => email.toLowerCase();

/**
 * What holds the public endpoints (sign-in, sign-up, dev sign-in, pairing
 * redemption, refresh): a budget of calls per address, and a lockout per
 * address and per email after repeated failures (a wrong password, a wrong
 * pairing code, a bad refresh proof). An unknown email is counted exactly
 * as a known one, so the refusals tell nothing about which accounts exist.
 * The address is admitted in the HTTP layer, before tRPC parses a call;
 * the email, which is in the call's input, by the procedure.
 */
export class PublicAttempts {
  readonly #calls: RateLimiterAbstract;
  readonly #byAddress: Locker;
  readonly #byEmail: Locker;
  /** Addresses this node refused, until their wait ends. */
  readonly #refused = new RateLimiterMemory({ keyPrefix: 'refused-addresses', points: 1, duration: 1 });

  constructor(limiters: Limiters, settings: LimitSettings) {
    this.#calls = limiters.shared('public-calls', settings.address.publicCalls);
    const locker = (name: string, lockout: Lockout): Locker => ({
      limiter: limiters.shared(name, { points: lockout.failures, seconds: lockout.seconds }),
      lockout,
    });
    this.#byAddress = locker('failures-by-address', settings.address.failures);
    this.#byEmail = locker('failures-by-email', settings.email.failures);
  }

  /**
   * Counts `calls` calls from an address, before tRPC reads them (see admission.ts); refuses them if the
   * address is locked out or over its budget. An address refused here is refused from memory until its wait
   * ends, so an attack that goes on costs the node next to nothing.
   */
  async admitAddress(address: string, calls: number): Promise<void> {
    const refused = await this.#refused.get(address);
    if (refused && refused.consumedPoints > 1 && refused.msBeforeNext > 0) {
      const seconds = secondsBeforeNext(refused);
      throw new RateLimited(`too many sign-in and pairing calls or failed attempts from your address; try again in ${seconds} s`, seconds);
    }
    try {
      await refuseIfLocked(this.#byAddress, address, (seconds) => `too many failed attempts from your address; try again in ${seconds} s`);
      await consumeOrRefuse(
        this.#calls,
        address,
        (seconds) => `too many sign-in and pairing calls from your address; try again in ${seconds} s`,
        calls,
      );
    } catch (error) {
      if (error instanceof RateLimited) await this.#refused.block(address, error.retryAfterSeconds);
      throw error;
    }
  }

  /** Refuses a sign-in (or sign-up) for an email locked out after failures. */
  async admitEmail(email: string): Promise<void> {
    await refuseIfLocked(this.#byEmail, emailKey(email), (seconds) => `too many failed sign-ins for this email; try again in ${seconds} s`);
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
