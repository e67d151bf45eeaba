import { RateLimited } from './rate-limited.ts';

export type HashGateSettings = { hashes: number; queuedHashes: number; hashesPerAddress: number };

/**
 * Lets a few password hashes (scrypt: tens of milliseconds of CPU and 32 MiB
 * each) run at once; the next ones wait in a short queue, and past it, or
 * past an address's share of running and waiting hashes, a call is refused
 * at once. So a flood of sign-ins from a few addresses can't make a
 * legitimate one wait behind it.
 */
export class HashGate {
  readonly #settings: HashGateSettings;
  readonly #waiting: (() => void)[] = [];
  readonly #perAddress = new Map<string, number>();
  #running = 0;

  constructor(settings: HashGateSettings) {
    this.#settings = settings;
  }

  /** Runs `hash` when a place is free, counted under `address`; refuses when the queue or the address's share is full. */
  async run<T>(address: string, hash: () => Promise<T>): Promise<T> {
    const held = this.#perAddress.get(address) ?? 0;
    if (held >= this.#settings.hashesPerAddress) {
      throw new RateLimited('too many password checks from your address at once; try again in a second', 1);
    }
    if (this.#running >= this.#settings.hashes && this.#waiting.length >= this.#settings.queuedHashes) {
      throw new RateLimited('the server is busy checking passwords; try again in a second', 1);
    }
    this.#perAddress.set(address, held + 1);
    try {
      if (this.#running >= this.#settings.hashes) await new Promise<void>((resolve) => this.#waiting.push(resolve));
      else this.#running += 1;
      try {
        return await hash();
      } finally {
        // The place passes to the next waiting hash, or is freed.
        const next = this.#waiting.shift();
        if (next) next();
        else this.#running -= 1;
      }
    } finally {
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#perAddress.set(address, left);
      else this.#perAddress.delete(address);
    }
  }
}
