/**
 * A fast-check fuzz of push, batch and pairing inputs against one real
 * server: mostly valid requests, mutated (arbitrary JSON in fields, wrong
 * types, huge and negative numbers, odd strings, deep nesting, extra keys,
 * `__proto__`, long arrays up to the limits, documents of the wrong
 * collection, preconditions and increments with random fields), sent as the
 * shopper's device, another shopper's device, the store and no one.
 *
 * Every answer must be a success or a typed error of the closed set with its
 * HTTP status (never 500 / INTERNAL, never a stack trace), within a timeout;
 * a refusal writes nothing; the server still answers /healthz after the run;
 * and the SQLite file passes a consistency check.
 *
 * Every generated input is sent: none is skipped. The bugs the fuzz found
 * (KB2–KB5) have regression tests in `found-bugs.test.ts`.
 */
import { STORE } from '@pourover/schemas';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDoc, uuid } from '../support/test-server.ts';
import { consistencyProblems } from '../probe/store-consistency.ts';
import { D } from './callers.ts';
import { REQUEST_TIMEOUT_MS, startFuzzTarget, type FuzzTarget } from './fuzz-target.ts';
import { mutated, serialize } from './mutations.ts';
import { pairing } from './pairing-checks.ts';
import { pairingArb } from './pairing-requests.ts';
import { pushOrBatch } from './push-batch-checks.ts';
import { pushAndBatchArbitraries } from './push-batch-requests.ts';

const SEED = 20261123;
const CASES = { push: 2_000, batch: 2_000, pairing: 1_000, concurrent: 1_200 };
const CONCURRENCY = 8;

/**
 * No shrinking: the server's state moves on between runs. A failure reports
 * the seed, the path and the counterexample (cut short: a long push is long).
 */
function assertOptions<T>(seed: number, numRuns: number): fc.Parameters<[T]> {
  return {
    seed,
    numRuns,
    endOnFailure: true,
    asyncReporter: async (details) => {
      if (!details.failed) return;
      const example = fc.stringify(details.counterexample);
      throw new Error(
        `Property failed after ${details.numRuns} runs { seed: ${details.seed}, path: "${details.counterexamplePath ?? ''}" }\n` +
          `Counterexample (${example.length} characters): ${example.slice(0, 3_000)}\n${String(details.errorInstance).slice(0, 3_000)}`,
        { cause: details.errorInstance },
      );
    },
  };
}

describe(`fuzzing push, batch and pairing inputs (seed ${SEED})`, () => {
  let target: FuzzTarget;
  let arbs: ReturnType<typeof pushAndBatchArbitraries> & { pairing: typeof pairingArb };
  beforeAll(async () => {
    target = await startFuzzTarget();
    const { server } = target;
    // A few documents in place, so pushes and preconditions meet existing state.
    await server.store.commit(
      D,
      [0, 1, 2].map((n) => ({ collection: 'draftOrders' as const, document: orderDoc(0xf000 + n), expect: { kind: 'none' as const } })),
      'all',
    );
    const ids = (rows: { document: { id: string } }[]) => rows.map((row) => row.document.id);
    const pools = {
      ids: Array.from({ length: 24 }, (_, index) => uuid(0xf000 + index)),
      slotIds: ids(await server.store.pull(STORE, 'availability', 0, 1_000)),
      catalogIds: ids(await server.store.pull(STORE, 'catalog', 0, 1_000)),
    };
    arbs = { ...pushAndBatchArbitraries(pools), pairing: pairingArb };
  });
  afterAll(() => target.server.stop());

  it(`answers ${CASES.push} mutated pushes with results or typed errors, and refusals write nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(arbs.push, async ({ caller, request, mutations }) => {
        const input = mutated(request, mutations);
        await pushOrBatch(target, 'push', { caller, request: input, sequential: true });
      }),
      assertOptions(SEED, CASES.push),
    );
  }, 180_000);

  it(`answers ${CASES.batch} mutated batches (with and without a replica, as a device and as the store) likewise`, async () => {
    await fc.assert(
      fc.asyncProperty(arbs.batch, async ({ caller, request, mutations }) => {
        const input = mutated(request, mutations);
        await pushOrBatch(target, 'batch', { caller, request: input, sequential: true });
      }),
      assertOptions(SEED + 1, CASES.batch),
    );
  }, 180_000);

  it(`answers ${CASES.pairing} pairing and sign-in requests likewise, and a pairing code blesses once`, async () => {
    await fc.assert(
      fc.asyncProperty(arbs.pairing, async (input) => pairing(target, input)),
      assertOptions(SEED + 2, CASES.pairing),
    );
  }, 180_000);

  it(`answers ${CASES.concurrent} more pushes and batches sent ${CONCURRENCY} at a time`, async () => {
    const half = CASES.concurrent / 2;
    const cases = [
      ...fc.sample(arbs.push, { seed: SEED + 3, numRuns: half }).map((item) => ({ kind: 'push' as const, ...item })),
      ...fc.sample(arbs.batch, { seed: SEED + 4, numRuns: half }).map((item) => ({ kind: 'batch' as const, ...item })),
    ];
    // Interleave pushes and batches.
    const ordered = cases.map((item, index) => ({ item, key: (index % half) * 2 + (index >= half ? 1 : 0) })).sort((a, b) => a.key - b.key);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const entry = ordered[next];
        next += 1;
        if (!entry) return;
        const { kind, caller, request, mutations } = entry.item;
        const input = mutated(request, mutations);
        try {
          await pushOrBatch(target, kind, { caller, request: input, sequential: false });
        } catch (error) {
          throw new Error(
            `concurrent case ${entry.key} (seed ${kind === 'push' ? SEED + 3 : SEED + 4}): ${serialize(input).slice(0, 1_000)}\n${String(error)}\nserver: ${JSON.stringify(target.server.failures.slice(0, 3))}`,
            { cause: error },
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }, 180_000);

  it('still answers /healthz, and nothing polluted Object.prototype', async () => {
    const answer = await fetch(`${target.server.url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(
      Object.getOwnPropertyNames(Object.getPrototypeOf({}) as object).sort(),
    );
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('leaves a consistent SQLite file (documents valid per schema, seqs and commits in order, integrity ok)', async () => {
    const { server, outcomes } = target;
    const { rows } = target.snapshot();
    expect(rows).toBeGreaterThan(100);
    await server.shutDown();
    expect(consistencyProblems(server.file)).toEqual([]);
    const identity = new Database(`${server.dir}/identity.sqlite`, { readonly: true, fileMustExist: true });
    try {
      expect(identity.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      identity.close();
    }
    // The fuzz reaches past validation: writes apply, and every kind of refusal happens.
    expect(outcomes['push ok'] ?? 0).toBeGreaterThan(CASES.push / 10);
    expect(outcomes['batch ok'] ?? 0).toBeGreaterThan(CASES.batch / 20);
    expect(outcomes['batch not applied'] ?? 0).toBeGreaterThan(0);
    for (const code of ['BAD_INPUT', 'TOO_LARGE', 'UNAUTHENTICATED', 'FORBIDDEN'] as const) {
      expect(outcomes[`push ${code}`] ?? 0, `push ${code}`).toBeGreaterThan(0);
      expect(outcomes[`batch ${code}`] ?? 0, `batch ${code}`).toBeGreaterThan(0);
    }
    expect(server.failures).toEqual([]);
  });
});
