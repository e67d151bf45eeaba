import { PouroverError } from '@pourover/protocol';

export type LimitSettings = {
  /** Requests a blessing may make per second, on average. */
  requestsPerSecond: number;
  /** Requests it may make at once before the average applies. */
  burst: number;
  /** Live streams (device streams and watches) open at once per blessing. */
  streamsPerBlessing: number;
};

export const defaultLimits: LimitSettings = { requestsPerSecond: 50, burst: 200, streamsPerBlessing: 4 };

/** Refused for going over a limit; `retryAfterSeconds` becomes the response's Retry-After. */
export class RateLimited extends PouroverError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Per-blessing token buckets for requests, and counts of open streams. */
export class RequestLimits {
  readonly #settings: LimitSettings;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #streams = new Map<string, number>();
  readonly #now: () => number;

  constructor(settings: LimitSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
  }

  /** Takes one request from the blessing's bucket, or refuses with when to come back. */
  charge(name: string) {
    const now = this.#now();
    const bucket = this.#buckets.get(name) ?? { tokens: this.#settings.burst, at: now };
    bucket.tokens = Math.min(this.#settings.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#settings.requestsPerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(name, bucket);
      const seconds = Math.ceil((1 - bucket.tokens) / this.#settings.requestsPerSecond);
      throw new RateLimited(`too many requests from ${name}; try again in ${seconds} s`, seconds);
    }
    bucket.tokens -= 1;
    this.#buckets.set(name, bucket);
    if (this.#buckets.size > 100_000) this.#forgetIdle(now);
  }

  /** Counts a stream open for its lifetime; the returned function releases it. */
  openStream(name: string): () => void {
    const open = this.#streams.get(name) ?? 0;
    if (open >= this.#settings.streamsPerBlessing) {
      throw new RateLimited(`${name} already has ${open} live streams open`, 5);
    }
    this.#streams.set(name, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#streams.get(name) ?? 1) - 1;
      if (left > 0) this.#streams.set(name, left);
      else this.#streams.delete(name);
    };
  }

  #forgetIdle(now: number) {
    for (const [name, bucket] of this.#buckets) if (now - bucket.at > 60_000) this.#buckets.delete(name);
  }
}
