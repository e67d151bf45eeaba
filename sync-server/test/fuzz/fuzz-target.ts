/**
 * The server the fuzz runs against, as the fuzz reaches it: requests sent
 * with a timeout, a token for each caller, the check that an answer is a
 * result or a typed error of the closed set, and a tally of the answers.
 */
import { errorCodes, httpStatusOf, type ErrorCode } from '@pourover/protocol';
import { STORE } from '@pourover/schemas';
import { expect } from 'vitest';
import { errorOf, internalsIn, resultOf, type Answer } from '../support/test-server.ts';
import { signBlessing } from '../../src/auth/blessing-token.ts';
import { snapshotOf, startProbeServer, type ProbeServer, type StoreSnapshot } from '../probe/probe-server.ts';
import { O, type Caller } from './callers.ts';

/** How long any one request may take before it counts as a hang. */
export const REQUEST_TIMEOUT_MS = 10_000;

export type TypedAnswer = { ok: true; data: unknown } | { ok: false; code: ErrorCode };

export type FuzzTarget = {
  server: ProbeServer;
  tokens: Record<Caller, string | undefined>;
  /** How many answers of each kind the fuzz got (`push ok`, `batch FORBIDDEN`, …), to check it reaches past validation. */
  outcomes: Record<string, number>;
  /** Posts `body` to a procedure; throws if no answer comes within the timeout. */
  send(procedure: string, body: string | undefined, token?: string): Promise<Answer>;
  /** Checks an answer is a success or a typed error of the closed set with its HTTP status, and no internals; returns its data or code. */
  typed(answer: Answer, what: string): TypedAnswer;
  snapshot(): StoreSnapshot;
};

function sender(server: ProbeServer): FuzzTarget['send'] {
  return async (procedure, body, token) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const init: RequestInit = { method: 'POST', headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    if (body !== undefined) init.body = body;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${server.url}/trpc/${procedure}`, init);
      text = await response.text();
    } catch (error) {
      throw new Error(`${procedure} did not answer within ${REQUEST_TIMEOUT_MS} ms (or the connection failed): ${String(error)}`, {
        cause: error,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };
}

function typedCheck(server: ProbeServer): FuzzTarget['typed'] {
  return (answer, what) => {
    const why = answer.status >= 500 ? ` (server log: ${JSON.stringify(server.failures.at(-1) ?? {})})` : '';
    const context = `${what} answered ${answer.status}: ${answer.text.slice(0, 400)}${why}`;
    expect(internalsIn(answer.body), context).toEqual([]);
    expect(answer.text, context).not.toMatch(/\n\s+at .+:\d+:\d+/);
    if (answer.status === 200) {
      const data = (answer.body as { result?: { data?: unknown } } | undefined)?.result?.data;
      expect(data, context).toBeDefined();
      return { ok: true, data };
    }
    const error = errorOf(answer);
    expect(error, context).toBeDefined();
    const code = error?.code as ErrorCode;
    expect(errorCodes, context).toContain(code);
    expect(code, context).not.toBe('INTERNAL');
    expect(answer.status, context).toBe(httpStatusOf[code]);
    expect(error?.httpStatus, context).toBe(answer.status);
    return { ok: false, code };
  };
}

/** Starts a probe server, signs the shopper's device in and signs a token for every other caller. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const server = await startProbeServer();
  const send = sender(server);
  try {
    const signedIn = await send('auth.devSignIn', JSON.stringify({ device: 'fuzz-phone' }));
    const phone = resultOf<{ token: string; blessing: string }>(signedIn);
    const tokens = {
      device: phone.token,
      other: signBlessing(server.key, { name: `${O}:tablet`, ttlSeconds: 3600 }),
      store: signBlessing(server.key, { name: STORE, ttlSeconds: 3600 }),
      none: undefined,
      junk: 'not-a-token',
    };
    return { server, tokens, outcomes: {}, send, typed: typedCheck(server), snapshot: () => snapshotOf(server.db) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
