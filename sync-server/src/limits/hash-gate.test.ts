import { describe, expect, it } from 'vitest';
import { HashGate } from './hash-gate.ts';
import { RateLimited } from './rate-limited.ts';

/** A hash that finishes when told to, so a test holds it running. */
function heldHash() {
  let finish: () => void = () => {};
  const done = new Promise<string>((resolve) => (finish = () => resolve('hashed')));
  return { hash: () => done, finish: () => finish() };
}

describe('the password-hash gate', () => {
  it('runs one hash at a time, queues the next ones, and refuses past the queue at once', async () => {
    const gate = new HashGate({ hashes: 1, queuedHashes: 2, hashesPerAddress: 5 });
    const held = heldHash();
    let ran = 0;
    const first = gate.run('a', held.hash);
    const queued = [gate.run('b', async () => ++ran), gate.run('c', async () => ++ran)];
    await expect(gate.run('d', async () => ++ran)).rejects.toThrow(/busy checking passwords/);
    expect(ran).toBe(0);
    held.finish();
    expect(await first).toBe('hashed');
    expect(await Promise.all(queued)).toEqual([1, 2]);
    expect(await gate.run('d', async () => 'later')).toBe('later');
  });

  it('refuses an address past its share of running and waiting hashes, leaving room for the others', async () => {
    const gate = new HashGate({ hashes: 1, queuedHashes: 10, hashesPerAddress: 2 });
    const held = heldHash();
    const mine = [gate.run('attacker', held.hash), gate.run('attacker', async () => 'second')];
    const refused = await gate.run('attacker', async () => 'third').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimited);
    expect((refused as RateLimited).retryAfterSeconds).toBe(1);
    const shopper = gate.run('shopper', async () => 'signed in');
    held.finish();
    expect(await Promise.all([...mine, shopper])).toEqual(['hashed', 'second', 'signed in']);
  });
});
