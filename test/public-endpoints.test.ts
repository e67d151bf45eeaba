import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '@pourover/sync-server';
import { afterEach, describe, expect, it } from 'vitest';
import { callFrom, errorOf, type Answer } from './support/from-address.ts';
import { pouroverApp } from '@pourover/sync-server/pourover-app';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const dataOf = (answer: Answer) => (answer.body as { result: { data: { token: string; blessing: string } } }).result.data;
const randomCode = () => Array.from({ length: 8 }, () => 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'[Math.floor(Math.random() * 31)]).join('');

describe('the public endpoints: limited per address and per email, answering alike whether an account exists', () => {
  const running: { server: RunningServer; dir: string }[] = [];
  afterEach(async () => {
    for (const { server, dir } of running.splice(0)) {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  async function server(limits?: ServerOptions['limits']) {
    const dir = mkdtempSync(join(tmpdir(), 'pourover-public-limits-'));
    const started = await startServer({ app: pouroverApp, dataDir: dir, seed: true, ...(limits ? { limits } : {}) });
    running.push({ server: started, dir });
    return started;
  }
  const signUp = (url: string, email: string, password: string, from: string) =>
    callFrom(url, { procedure: 'auth.signUp', input: { name: 'Shopper', email, password, device: 'phone' }, from });
  const signIn = (url: string, email: string, password: string, from: string) =>
    callFrom(url, { procedure: 'auth.signIn', input: { email, password, device: 'phone' }, from });

  it('refuses 1,000 wrong pairing codes with 429 after the first few, so no code can be guessed at speed', async () => {
    const { url } = await server();
    const phone = dataOf(await callFrom(url, { procedure: 'auth.devSignIn', input: { device: 'phone' } }));
    const code = (dataOf(await callFrom(url, { procedure: 'auth.createPairingCode', token: phone.token })) as unknown as { code: string })
      .code;
    const statuses: number[] = [];
    const answers: Answer[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < 1_000) {
          next += 1;
          const answer = await callFrom(url, {
            procedure: 'auth.redeemPairingCode',
            input: { code: randomCode(), device: `guess-${next}` },
            from: '127.0.0.66',
          });
          statuses.push(answer.status);
          answers.push(answer);
        }
      }),
    );
    const checked = statuses.filter((status) => status !== 429).length;
    expect(checked, 'codes actually checked').toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(990);
    const refused = answers.find((answer) => answer.status === 429) as Answer;
    expect(errorOf(refused)?.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);

    // Locked out, the guessing address is refused even the right code; another address redeems it.
    expect(
      (await callFrom(url, { procedure: 'auth.redeemPairingCode', input: { code, device: 'thief' }, from: '127.0.0.66' })).status,
    ).toBe(429);
    expect(
      (await callFrom(url, { procedure: 'auth.redeemPairingCode', input: { code, device: 'tablet' }, from: '127.0.0.67' })).status,
    ).toBe(200);
  });

  it('refuses 200 concurrent wrong-password sign-ins with 429, while a shopper signs in from another address at once', async () => {
    const { url } = await server();
    expect((await signUp(url, 'shopper@example.com', 'the-shoppers-password', '127.0.0.20')).status).toBe(200);
    const attack = Promise.all(Array.from({ length: 200 }, (_, n) => signIn(url, 'demo@example.com', `wrong-password-${n}`, '127.0.0.21')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const legitimate = await signIn(url, 'shopper@example.com', 'the-shoppers-password', '127.0.0.22');
    const signInMs = performance.now() - started;
    const statuses = (await attack).map((answer) => answer.status);
    expect(legitimate.status).toBe(200);
    // Behind 200 hashes it would wait for all of them (18 s on a loaded machine); ahead of them, for about one.
    expect(signInMs, 'the shopper’s sign-in, in ms, during the attack').toBeLessThan(3_000);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(180);
    expect(statuses.every((status) => status === 429 || status === 401)).toBe(true);
  });

  it('answers a wrong password for a known email and any password for an unknown one in the same time (medians within 1.5×)', async () => {
    const generous = { failures: 1_000, seconds: 60, lockSeconds: 60 };
    const { url } = await server({
      address: { publicCalls: { points: 1_000, seconds: 60 }, failures: generous },
      email: { failures: generous },
    });
    expect((await signUp(url, 'known@example.com', 'the-known-password', '127.0.0.30')).status).toBe(200);
    const known: number[] = [];
    const unknown: number[] = [];
    const timed = async (email: string) => {
      const started = performance.now();
      const answer = await signIn(url, email, 'a-wrong-password', '127.0.0.31');
      expect(errorOf(answer)).toEqual({ code: 'UNAUTHENTICATED', message: 'the email or the password is wrong' });
      return performance.now() - started;
    };
    // Alternating, after one of each to warm up, so the machine's load falls on both alike.
    await timed('known@example.com');
    await timed('nobody@example.com');
    for (let round = 0; round < 9; round += 1) {
      known.push(await timed('known@example.com'));
      unknown.push(await timed(`nobody-${round}@example.com`));
    }
    const ratio = median(known) / median(unknown);
    expect(ratio, `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`).toBeGreaterThan(1 / 1.5);
    expect(ratio).toBeLessThan(1.5);
  });

  it('answers a sign-up with an email that has an account as a wrong password, or signs in with its password', async () => {
    const { url } = await server();
    const first = await signUp(url, 'taken@example.com', 'the-first-password', '127.0.0.40');
    expect(first.status).toBe(200);
    const wrongSignIn = await signIn(url, 'taken@example.com', 'not-the-password', '127.0.0.41');
    const signUpAgain = await signUp(url, 'taken@example.com', 'not-the-password', '127.0.0.42');
    expect(signUpAgain.status).toBe(wrongSignIn.status);
    expect(errorOf(signUpAgain)).toEqual(errorOf(wrongSignIn));
    expect(errorOf(signUpAgain)).toEqual({ code: 'UNAUTHENTICATED', message: 'the email or the password is wrong' });

    const withPassword = await signUp(url, 'taken@example.com', 'the-first-password', '127.0.0.43');
    expect(withPassword.status).toBe(200);
    expect(dataOf(withPassword).blessing).toBe(dataOf(first).blessing);
  });
});
