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
 * (KB2–KB5) have regression tests at the end of this file.
 */
import { errorCodes, httpStatusOf, MAX_DEPTH, MAX_ROWS, type ErrorCode } from '@pourover/protocol';
import {
  catalogKinds,
  collectionNames,
  docId,
  editDraft,
  emptyDraftUpdate,
  orderStatuses,
  shopperReplica,
  STORE,
  type CollectionName,
  type DraftEdit,
} from '@pourover/schemas';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOPPER_ID } from '../seed/demo-shopper.ts';
import { DEMO_REPLICA, errorOf, internalsIn, orderDoc, resultOf, userDoc, uuid, type Answer } from '../test-support.ts';
import { signBlessing } from './blessing-token.ts';
import { consistencyProblems, snapshotOf, startProbeServer, type ProbeServer } from './probe-support.ts';

const SEED = 20261123;
const CASES = { push: 2_000, batch: 2_000, pairing: 1_000, concurrent: 1_200 };
/** How long any one request may take before it counts as a hang. */
const REQUEST_TIMEOUT_MS = 10_000;
const CONCURRENCY = 8;

const D = DEMO_REPLICA;
const OTHER_SHOPPER = 'd00dfeed-0000-4000-8000-00000000000c';
const O = shopperReplica(OTHER_SHOPPER);

// ---------------------------------------------------------------------------
// JSON with deep nesting and own `__proto__` keys, built and written without recursing through the nesting.

/** A value nested `depth` levels deep around `inner`, expanded only when written out. */
class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
    readonly inner: unknown,
  ) {}
}

function serialize(value: unknown): string {
  if (value instanceof Deep) {
    const [open, close] = value.kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return open.repeat(value.depth) + serialize(value.inner) + close.repeat(value.depth);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : serialize(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${serialize(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Sets an own property, so a key named `__proto__` stays data. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(value: unknown): unknown {
  if (value instanceof Deep || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, clone((value as Record<string, unknown>)[key]));
  return copy;
}

type Path = (string | number)[];

function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (value instanceof Deep || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...at, index], out));
  else for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...at, key], out);
  return out;
}

function at(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined), root);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Deep);

type Mutation = { kind: 'set' | 'delete' | 'add' | 'wrap'; pick: number; key: string; value: unknown; depth: number };

/** A copy of `value` with each mutation applied at the path it picks. */
function mutated(value: unknown, mutations: readonly Mutation[]): unknown {
  let root = clone(value);
  for (const mutation of mutations) {
    const paths = pathsOf(root);
    const path = paths[mutation.pick % paths.length] ?? [];
    const current = at(root, path);
    let next: unknown;
    switch (mutation.kind) {
      case 'set':
        next = mutation.value;
        break;
      case 'delete':
        next = undefined;
        break;
      case 'add':
        if (isRecord(current)) {
          setOwn(current, mutation.key, mutation.value);
          continue;
        }
        if (Array.isArray(current)) {
          current.push(mutation.value);
          continue;
        }
        next = { [mutation.key]: current };
        break;
      case 'wrap':
        next = new Deep(mutation.depth, mutation.depth % 2 === 0 ? 'array' : 'object', current);
        break;
    }
    if (path.length === 0) {
      root = next === undefined ? {} : next;
      continue;
    }
    const parent = at(root, path.slice(0, -1));
    const last = path[path.length - 1] as string | number;
    if (Array.isArray(parent) && typeof last === 'number') {
      if (next === undefined) parent.splice(last, 1);
      else parent[last] = next;
    } else if (isRecord(parent)) {
      if (next === undefined) delete parent[String(last)];
      else setOwn(parent, String(last), next);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------
// Arbitraries.

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '💥🔥☕',
  '\u202eevil',
  'Z̤͔ͧ̑̓ä͖̭̈̇l͖͎g̞̥͈ͮ',
  'ﷺ',
  '__proto__',
  'constructor',
  "'; DROP TABLE documents; --",
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '%s%n%x',
  'null',
  'NaN',
  '\r\n\r\n',
  'bluebottle',
  'bluebottle:users',
  `${DEMO_REPLICA}:phone`,
];
const HUGE_NUMBERS = [
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -1,
  -0,
  0.5,
  -1e21,
  1e21,
  2 ** 31,
  -(2 ** 31),
  1e-7,
  100_000_001,
];
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '_deleted', 'id', '', 'replica', 'admin', 'a'.repeat(300), '💥'];

/** Deep values mostly nest around the protocol's limit, now and then thousands of levels past it (KB3). */
const NEAR_LIMIT = 2 * MAX_DEPTH;

/** Ids a draft's Yjs document names as items: ULIDs no catalog document ever has, so a draft's total stays within bounds. */
const ITEM_POOL = Array.from({ length: 30 }, (_, index) => `7ZZZZZZZZZZZZZZZZZZZZZZZ${'0123456789ABCDEFGHJKMNPQRSTVWXYZ'[index] ?? '0'}Z`);

type Caller = 'device' | 'other' | 'store' | 'none' | 'junk';

type Pools = { ids: string[]; slotIds: string[]; catalogIds: string[] };

function arbitraries(pools: Pools) {
  const idArb = fc.oneof(
    { weight: 36, arbitrary: fc.constantFrom(...pools.ids, ...pools.slotIds, ...pools.catalogIds, DEMO_SHOPPER_ID) },
    { weight: 9, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) },
    { weight: 1, arbitrary: fc.constantFrom('not-an-id', '', 'A'.repeat(37), uuid(1).toUpperCase()) },
  );
  const isoArb = fc
    .date({ min: new Date('1990-01-01T00:00:00.000Z'), max: new Date('2100-01-01T00:00:00.000Z'), noInvalidDate: true })
    .map((date) => date.toISOString());
  const textArb = (max: number, minLength = 0) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ minLength, maxLength: Math.min(max, 40) }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength, maxLength: Math.min(max, 40) }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: 8 }) },
      { weight: 1, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    );
  const deepArb = fc
    .record({
      depth: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 2, max: NEAR_LIMIT }) }, { weight: 1, arbitrary: fc.integer({ min: 4_000, max: 40_000 }) }),
      kind: fc.constantFrom<'array' | 'object'>('array', 'object'),
      inner: fc.jsonValue({ maxDepth: 1 }),
    })
    .map(({ depth, kind, inner }) => new Deep(depth, kind, inner));
  const valueArb: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 30, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 12, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
    { weight: 12, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 10, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 6, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, '', [], {}) },
    { weight: 5, arbitrary: deepArb },
    { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((length) => 'x'.repeat(length)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: MAX_ROWS + 1 }).map((length) => Array.from({ length }, () => 0)) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(1_100_000)) },
  );
  const keyArb = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  const mutationArb: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'set', 'delete', 'add', 'add', 'wrap'),
    pick: fc.nat(),
    key: keyArb,
    value: valueArb,
    depth: fc.integer({ min: 1, max: 5 }),
  });
  const mutationsArb = fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 1, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) });

  const itemIdArb = fc.oneof({ weight: 60, arbitrary: fc.constantFrom(...ITEM_POOL) }, { weight: 1, arbitrary: fc.oneof(idArb, fc.string({ maxLength: 10 })) });
  const editArb: fc.Arbitrary<DraftEdit> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('setCount' as const), itemId: itemIdArb, count: fc.oneof({ weight: 60, arbitrary: fc.integer({ min: -3, max: 150 }) }, { weight: 1, arbitrary: fc.constantFrom(1.5, 1e9) }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), itemId: itemIdArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('setNote' as const), note: fc.oneof({ weight: 60, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) }, { weight: 1, arbitrary: fc.constant('n'.repeat(1_001)) }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('setSlot' as const), slotId: fc.oneof({ weight: 60, arbitrary: fc.option(idArb.filter((id) => docId.safeParse(id).success), { nil: null }) }, { weight: 1, arbitrary: fc.constant('not-a-slot') }) }) },
  );
  // Yjs gives each new document a random client id, so a ydoc's bytes (not its content) differ from run to run.
  const ydocArb = fc.oneof(
    { weight: 8, arbitrary: fc.constant(emptyDraftUpdate()) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 30, arbitrary: fc.array(editArb, { maxLength: 6 }).map((edits) => editDraft(emptyDraftUpdate(), edits)) },
    { weight: 1, arbitrary: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 20 })) },
  );

  const bodies: { [K in CollectionName]: fc.Arbitrary<Record<string, unknown>> } = {
    user: fc.record({ id: idArb, name: textArb(120), email: textArb(254), address: textArb(500), paymentToken: textArb(200) }),
    draftOrders: orderArb(),
    placedOrders: orderArb(),
    processedOrders: orderArb(),
    availability: fc.record({
      id: idArb,
      start: isoArb,
      end: isoArb,
      capacity: fc.integer({ min: 0, max: 10_000 }),
      taken: fc.integer({ min: 0, max: 10_000 }),
      cutoff: isoArb,
    }),
    catalog: fc.record({
      id: idArb,
      name: textArb(80, 1),
      description: textArb(500),
      kind: fc.constantFrom(...catalogKinds),
      priceCents: fc.integer({ min: 0, max: 100_000_000 }),
      image: fc.stringMatching(/^[0-9a-f]{64}$/),
      available: fc.boolean(),
    }),
  };
  function orderArb() {
    return fc.record(
      {
        id: idArb,
        status: fc.constantFrom(...orderStatuses),
        lines: fc.array(fc.record({ itemId: idArb, count: fc.integer({ min: 1, max: 99 }) }), { maxLength: 4 }),
        itemCount: fc.integer({ min: 0, max: 9_900 }),
        totalCents: fc.integer({ min: 0, max: 100_000_000 }),
        note: textArb(1_000),
        slotId: fc.option(idArb, { nil: null }),
        ydoc: ydocArb,
        createdTime: isoArb,
        placedTime: isoArb,
        receivedTime: isoArb,
        rejectReason: textArb(500),
        splitFrom: idArb,
      },
      { requiredKeys: ['id', 'status', 'lines', 'itemCount', 'totalCents', 'note', 'slotId', 'ydoc', 'createdTime'] },
    );
  }

  const collectionArb = fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...collectionNames) },
    { weight: 1, arbitrary: fc.constantFrom('nope', 'User', '', '__proto__') },
  );
  const deletedArb = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  const wire = (body: fc.Arbitrary<Record<string, unknown>>) => fc.tuple(body, deletedArb).map(([fields, deleted]) => ({ ...fields, _deleted: deleted }));
  /** A document of `collection` mostly, now and then one valid for another collection. */
  const documentArb = (collection: string) =>
    fc.oneof(
      { weight: 20, arbitrary: wire(bodies[(collectionNames as readonly string[]).includes(collection) ? (collection as CollectionName) : 'user']) },
      { weight: 1, arbitrary: fc.constantFrom(...collectionNames).chain((other) => wire(bodies[other])) },
    );
  /** A state the server only compares (an assumed master state, a precondition): a loose object with extra keys. */
  const looseStateArb = fc
    .tuple(fc.record({ id: idArb, _deleted: fc.boolean() }), fc.array(fc.tuple(keyArb, valueArb), { maxLength: 3 }))
    .map(([base, extra]) => {
      const state: Record<string, unknown> = {};
      for (const [key, value] of extra) setOwn(state, key, value);
      setOwn(state, 'id', base.id);
      setOwn(state, '_deleted', base._deleted);
      return state;
    });
  const fieldArb = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('taken', 'capacity', 'cutoff', 'start', 'id', 'name', 'priceCents', 'totalCents', 'itemCount', 'note', 'available', 'x') },
    { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,63}$/) },
    { weight: 1, arbitrary: fc.constantFrom('_deleted', '__proto__', '', '1a', 'a'.repeat(65)) },
  );
  /** A document the caller may write (the store: a catalog item), to be given a fresh id. */
  const longDocument = (caller: Caller) =>
    caller === 'store'
      ? { name: 'Long', description: '', kind: 'coffee', priceCents: 1, image: 'b'.repeat(64), available: true, _deleted: false }
      : { ...userDoc(0), name: 'Long' };
  /** A longest push or batch: many documents with fresh ids, up to one past the limit. */
  const longArb = <T>(item: (id: string) => T) =>
    fc.integer({ min: MAX_ROWS - 3, max: MAX_ROWS + 1 }).map((length) => Array.from({ length }, (_, index) => item(uuid(0xa000000 + index))));

  const callerArb = fc.constantFrom<Caller>('device', 'device', 'device', 'other', 'store', 'store', 'none', 'junk');
  /** What a caller's requests mostly name: collections it may write, and (for a batch) the replica it would. */
  const writable: Record<Caller, readonly CollectionName[]> = {
    device: ['user', 'draftOrders'],
    other: ['user', 'draftOrders'],
    store: ['placedOrders', 'processedOrders', 'availability', 'catalog'],
    none: collectionNames,
    junk: collectionNames,
  };
  const collectionFor = (caller: Caller) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...writable[caller]) }, { weight: 1, arbitrary: collectionArb });
  const natural: Record<Caller, readonly (string | undefined)[]> = {
    device: [undefined, D],
    other: [undefined, O],
    store: [D, O],
    none: [undefined, D],
    junk: [undefined, D],
  };

  const pushRequestArb = (caller: Caller) => collectionFor(caller).chain((collection) => {
    const row = fc.record(
      {
        assumedMasterState: fc.oneof(fc.constant(null), documentArb(collection), looseStateArb),
        newDocumentState: documentArb(collection),
      },
      { requiredKeys: ['newDocumentState'] },
    );
    const longRow = (id: string) => ({ newDocumentState: { ...longDocument(caller), id } });
    return fc.oneof(
      { weight: 60, arbitrary: fc.record({ collection: fc.constant(collection), rows: fc.array(row, { minLength: 1, maxLength: 4 }) }) },
      { weight: 1, arbitrary: longArb(longRow).map((rows) => ({ collection: caller === 'store' ? 'catalog' : 'user', rows })) },
    );
  });

  const preconditionArb = (collection: string) =>
    fc.oneof(
      { weight: 10, arbitrary: fc.constant({ kind: 'absent' }) },
      { weight: 10, arbitrary: fc.record({ kind: fc.constant('equals'), state: fc.oneof(documentArb(collection), looseStateArb) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('maybe', 'none', 'assumed', 'equals') }) },
    );
  const writeOpArb = (caller: Caller) =>
    collectionFor(caller).chain((collection) =>
      fc
        .record({
          collection: fc.constant(collection),
          precondition: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: preconditionArb(collection) }),
          write: documentArb(collection),
        })
        .map(({ precondition, ...operation }) => (precondition === undefined ? operation : { ...operation, precondition })),
    );
  const incrementOpArb = fc.oneof(
    // The slot reservation the processor makes.
    {
      weight: 4,
      arbitrary: fc.record(
        {
          collection: fc.constant('availability'),
          increment: fc.record(
            {
              id: fc.constantFrom(...pools.slotIds, ...pools.ids),
              field: fc.constant('taken'),
              by: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000 })),
              atMost: fc.constant('capacity'),
              before: fc.constant('cutoff'),
            },
            { requiredKeys: ['id', 'field', 'by', 'atMost'] },
          ),
        },
        { requiredKeys: ['collection', 'increment'] },
      ),
    },
    // Random fields and bounds, of any id.
    {
      weight: 3,
      arbitrary: fc.record({
        collection: collectionArb,
        increment: fc.record(
          {
            id: fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: idArb }),
            field: fieldArb,
            by: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: -1_000, max: 1_000 }) }, { weight: 1, arbitrary: fc.constantFrom(...HUGE_NUMBERS) }),
            atMost: fieldArb,
            before: fieldArb,
          },
          { requiredKeys: ['id', 'field', 'by'] },
        ),
      }),
    },
  );
  const replicaArb = (caller: Caller) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...natural[caller]) },
      { weight: 3, arbitrary: fc.constantFrom(D, O, STORE) },
      { weight: 2, arbitrary: fc.constantFrom('bluebottle:users', `${D}:fuzz-phone`, '', 'bluebottle:users:nobody', 'x'.repeat(301)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    );
  const batchRequestArb = (caller: Caller) =>
    fc
      .record({
        replica: replicaArb(caller),
        operations: fc.oneof(
          {
            weight: 60,
            arbitrary: fc.array(fc.oneof({ weight: caller === 'store' ? 2 : 8, arbitrary: writeOpArb(caller) }, { weight: 1, arbitrary: incrementOpArb }), {
              minLength: 1,
              maxLength: 3,
            }),
          },
          { weight: 1, arbitrary: longArb((id) => ({ collection: caller === 'store' ? 'catalog' : 'user', write: { ...longDocument(caller), id } })) },
        ),
        deadline: fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: isoArb },
          { weight: 2, arbitrary: fc.constant('2999-01-01T00:00:00.000Z') },
          { weight: 1, arbitrary: fc.constant('tomorrow') },
        ),
      })
      .map(({ replica, operations, deadline }) => ({
        ...(replica === undefined ? {} : { replica }),
        operations,
        ...(deadline === undefined ? {} : { deadline }),
      }));

  const labelArb = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
    { weight: 1, arbitrary: fc.constantFrom('', 'a'.repeat(65), 'phone:admin', 'my phone', '../x', 'fuzz-lost') },
    { weight: 1, arbitrary: valueArb },
  );
  const jwkArb = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kty: fc.constant('EC'), crv: fc.constant('P-256'), x: fc.string({ maxLength: 70 }), y: fc.string({ maxLength: 70 }) }) },
    { weight: 1, arbitrary: valueArb },
  );
  const pairingArb = fc.record({
    action: fc.constantFrom('devSignIn', 'create', 'redeem', 'redeem-twice', 'redeem-random'),
    caller: callerArb,
    device: labelArb,
    secondDevice: labelArb,
    publicKey: fc.option(jwkArb, { nil: undefined }),
    lowerCase: fc.boolean(),
    randomCode: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{8}$/), valueArb),
    createBody: fc.option(valueArb, { nil: undefined }),
    mutations: mutationsArb,
  });

  return {
    push: callerArb.chain((caller) => fc.record({ caller: fc.constant(caller), request: pushRequestArb(caller), mutations: mutationsArb })),
    batch: callerArb.chain((caller) => fc.record({ caller: fc.constant(caller), request: batchRequestArb(caller), mutations: mutationsArb })),
    pairing: pairingArb,
  };
}

// ---------------------------------------------------------------------------

let server: ProbeServer;
let tokens: Record<Caller, string | undefined>;
/** How many answers of each kind the fuzz got (`push ok`, `batch FORBIDDEN`, …), to check it reaches past validation. */
const outcomes: Record<string, number> = {};

async function send(procedure: string, body: string | undefined, token?: string): Promise<Answer> {
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
    throw new Error(`${procedure} did not answer within ${REQUEST_TIMEOUT_MS} ms (or the connection failed): ${String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Checks an answer is a success or a typed error of the closed set with its HTTP status, and no internals; returns its data or code. */
function typed(answer: Answer, what: string): { ok: true; data: unknown } | { ok: false; code: ErrorCode } {
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
}

const snapshot = () => snapshotOf(server.db);

/** Sends a push or batch case and checks its answer; in the sequential phases, that a refusal changed nothing. */
async function pushOrBatch(kind: 'push' | 'batch', caller: Caller, request: unknown, sequential: boolean) {
  const before = sequential ? snapshot() : undefined;
  const answer = await send(kind === 'push' ? 'sync.push' : 'sync.batch', serialize(request), tokens[caller]);
  const outcome = typed(answer, `${kind} as ${caller}`);
  const tally = `${kind} ${outcome.ok ? ((outcome.data as { ok?: unknown }).ok === false ? 'not applied' : 'ok') : outcome.code}`;
  outcomes[tally] = (outcomes[tally] ?? 0) + 1;
  const context = `${kind} as ${caller}: ${answer.text.slice(0, 300)}`;
  if (caller === 'none' || caller === 'junk') expect(outcome.ok, context).toBe(false);
  else if (!outcome.ok) expect(outcome.code, context).not.toBe('UNAUTHENTICATED');
  if (outcome.ok) {
    if (kind === 'push') {
      const { conflicts } = outcome.data as { conflicts: unknown };
      expect(Array.isArray(conflicts), context).toBe(true);
      for (const conflict of conflicts as unknown[]) expect(conflict, context).toMatchObject({ id: expect.any(String), _deleted: expect.any(Boolean) });
    } else {
      const result = outcome.data as { ok: unknown; reason?: unknown };
      expect(typeof result.ok, context).toBe('boolean');
      if (result.ok === false) expect(['precondition', 'deadline'], context).toContain(result.reason);
      // A batch that did not apply changed nothing.
      if (before && result.ok === false) expect(snapshot(), context).toEqual(before);
    }
  } else if (before) {
    expect(snapshot(), `a refused ${kind} changes nothing: ${context}`).toEqual(before);
  }
}

type PairingCase = {
  action: 'devSignIn' | 'create' | 'redeem' | 'redeem-twice' | 'redeem-random';
  caller: Caller;
  device: unknown;
  secondDevice: unknown;
  publicKey: unknown;
  lowerCase: boolean;
  randomCode: unknown;
  createBody: unknown;
  mutations: Mutation[];
};

const BLESSED = /^bluebottle:users:[^:]+:[A-Za-z0-9_-]{1,64}$/;

async function pairing(input: PairingCase) {
  const before = snapshot();
  const newDevice = (device: unknown, extra: Record<string, unknown> = {}) => {
    const body: Record<string, unknown> = { ...extra, device };
    if (input.publicKey !== undefined) body['publicKey'] = input.publicKey;
    return mutated(body, input.mutations);
  };
  const checkBlessed = (answer: Answer, what: string, shopperReplicaName?: string) => {
    const outcome = typed(answer, what);
    if (!outcome.ok) return outcome;
    const data = outcome.data as { token?: unknown; blessing?: unknown; expiresInSeconds?: unknown };
    expect(typeof data.token, what).toBe('string');
    expect(String(data.blessing), what).toMatch(BLESSED);
    if (shopperReplicaName) expect(String(data.blessing).startsWith(`${shopperReplicaName}:`), `${what}: ${String(data.blessing)}`).toBe(true);
    expect(typeof data.expiresInSeconds, what).toBe('number');
    return outcome;
  };
  /** Asks for a pairing code; a shopper's device gets one (unless its body is refused), no one else ever does. */
  const create = async (caller: Caller, body?: string): Promise<string | undefined> => {
    const answer = await send('auth.createPairingCode', body, tokens[caller]);
    const outcome = typed(answer, `createPairingCode as ${caller}`);
    const context = `createPairingCode as ${caller}: ${answer.text.slice(0, 200)}`;
    if (caller !== 'device' && caller !== 'other') {
      expect(outcome.ok, context).toBe(false);
      return undefined;
    }
    if (body === undefined) expect(outcome.ok, context).toBe(true);
    if (!outcome.ok) return undefined;
    const { code } = outcome.data as { code: unknown };
    expect(code, context).toMatch(/^[A-Z2-9]{8}$/);
    return String(code);
  };
  const creator: Caller = input.caller === 'other' ? 'other' : 'device';
  const creatorReplica = creator === 'other' ? O : D;

  switch (input.action) {
    case 'devSignIn':
      checkBlessed(await send('auth.devSignIn', serialize(newDevice(input.device)), tokens[input.caller]), 'devSignIn', D);
      break;
    case 'create':
      await create(input.caller, input.createBody === undefined ? undefined : serialize(input.createBody));
      break;
    case 'redeem':
    case 'redeem-twice': {
      const code = (await create(creator)) as string;
      const offered = input.lowerCase ? code.toLowerCase() : code;
      const first = checkBlessed(await send('auth.redeemPairingCode', serialize(newDevice(input.device, { code: offered }))), 'redeemPairingCode', creatorReplica);
      if (input.action === 'redeem-twice') {
        const again = await send('auth.redeemPairingCode', serialize({ code: offered, device: 'second-try' }));
        const outcome = checkBlessed(again, 'redeemPairingCode again');
        // A code blesses one device, once.
        if (first.ok) expect(outcome, again.text.slice(0, 200)).toEqual({ ok: false, code: 'UNAUTHENTICATED' });
      }
      break;
    }
    case 'redeem-random': {
      const answer = await send('auth.redeemPairingCode', serialize(newDevice(input.secondDevice, { code: input.randomCode })));
      expect(checkBlessed(answer, 'redeemPairingCode of a code never made').ok, answer.text.slice(0, 200)).toBe(false);
      break;
    }
  }
  expect(snapshot(), 'pairing writes no document').toEqual(before);
}

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
  let arbs: ReturnType<typeof arbitraries>;
  beforeAll(async () => {
    server = await startProbeServer();
    const signedIn = await send('auth.devSignIn', JSON.stringify({ device: 'fuzz-phone' }));
    const phone = resultOf<{ token: string; blessing: string }>(signedIn);
    tokens = {
      device: phone.token,
      other: signBlessing(server.key, { name: `${O}:tablet`, ttlSeconds: 3600 }),
      store: signBlessing(server.key, { name: STORE, ttlSeconds: 3600 }),
      none: undefined,
      junk: 'not-a-token',
    };
    // A few documents in place, so pushes and preconditions meet existing state.
    await server.store.commit(D, [0, 1, 2].map((n) => ({ collection: 'draftOrders' as const, document: orderDoc(0xf000 + n), expect: { kind: 'none' as const } })), 'all');
    const ids = (rows: { document: { id: string } }[]) => rows.map((row) => row.document.id);
    arbs = arbitraries({
      ids: Array.from({ length: 24 }, (_, index) => uuid(0xf000 + index)),
      slotIds: ids(await server.store.pull(STORE, 'availability', 0, 1_000)),
      catalogIds: ids(await server.store.pull(STORE, 'catalog', 0, 1_000)),
    });
  });
  afterAll(() => server.stop());

  it(`answers ${CASES.push} mutated pushes with results or typed errors, and refusals write nothing`, async () => {
    await fc.assert(
      fc.asyncProperty(arbs.push, async ({ caller, request, mutations }) => {
        const input = mutated(request, mutations);
        await pushOrBatch('push', caller, input, true);
      }),
      assertOptions(SEED, CASES.push),
    );
  }, 180_000);

  it(`answers ${CASES.batch} mutated batches (with and without a replica, as a device and as the store) likewise`, async () => {
    await fc.assert(
      fc.asyncProperty(arbs.batch, async ({ caller, request, mutations }) => {
        const input = mutated(request, mutations);
        await pushOrBatch('batch', caller, input, true);
      }),
      assertOptions(SEED + 1, CASES.batch),
    );
  }, 180_000);

  it(`answers ${CASES.pairing} pairing and sign-in requests likewise, and a pairing code blesses once`, async () => {
    await fc.assert(
      fc.asyncProperty(arbs.pairing, async (input) => pairing(input)),
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
          await pushOrBatch(kind, caller, input, false);
        } catch (error) {
          throw new Error(
            `concurrent case ${entry.key} (seed ${kind === 'push' ? SEED + 3 : SEED + 4}): ${serialize(input).slice(0, 1_000)}\n${String(error)}\nserver: ${JSON.stringify(server.failures.slice(0, 3))}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }, 180_000);

  it('still answers /healthz, and nothing polluted Object.prototype', async () => {
    const answer = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({}) as object).sort());
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('leaves a consistent SQLite file (documents valid per schema, seqs and commits in order, integrity ok)', async () => {
    const { rows } = snapshot();
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

/** The bugs the fuzz found, each pinned by a regression test named after it. */
describe('bugs the fuzz found', () => {
  let server: ProbeServer;
  let device: string;
  beforeAll(async () => {
    server = await startProbeServer();
    device = signBlessing(server.key, { name: `${D}:bug-phone`, ttlSeconds: 3600 });
  });
  afterAll(() => server.stop());

  const post = async (procedure: string, body: string) => {
    const response = await fetch(`${server.url}/trpc/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${device}` },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, text };
  };
  const draft = (n: number, fields: Record<string, unknown> = {}) => ({ ...orderDoc(n), ...fields });
  const push = (collection: CollectionName, document: unknown) => post('sync.push', JSON.stringify({ collection, rows: [{ newDocumentState: document }] }));
  const stored = async (replica: string, collection: CollectionName, id: string) => (await server.store.get(replica, collection, id))?.document;
  const snapshot = () => snapshotOf(server.db);

  // KB2 (orders/draft-writes.ts: normalizedDraft → derivedFields → Y.applyUpdate threw, a 500).
  it('KB2: refuses a draft whose ydoc is not a Yjs update as BAD_INPUT, writing nothing', async () => {
    const before = snapshot();
    const answer = await push('draftOrders', draft(1, { ydoc: 'AQID' }));
    expect(answer.status, answer.text).toBe(400);
    expect(answer.text).toContain('ydoc is not a Yjs update');
    const batch = await post('sync.batch', JSON.stringify({ operations: [{ collection: 'draftOrders', write: draft(1, { ydoc: 'AQID' }) }] }));
    expect(batch.status, batch.text).toBe(400);
    expect(snapshot()).toEqual(before);
  });

  // KB2b (draft-writes.ts splitDraft → editsNotIn(update = '') → Y.applyUpdate of no bytes threw).
  it('KB2: reads an empty ydoc pushed over a draft already placed as an empty draft: no new draft, the device told it moved', async () => {
    expect((await push('draftOrders', draft(2))).status).toBe(200);
    expect((await push('draftOrders', draft(2, { status: 'placing' }))).status).toBe(200);
    const before = snapshot();
    const answer = await push('draftOrders', draft(2, { ydoc: '' }));
    expect(answer.status, answer.text).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ result: { data: { conflicts: [{ id: uuid(2), _deleted: true, status: 'placed' }] } } });
    expect(snapshot()).toEqual(before);
  });

  // KB3 (store/canonical.ts sortKeys recursed once per level: a RangeError past a few thousand levels).
  it('KB3: refuses a batch precondition nested 5,000 levels deep as BAD_INPUT', async () => {
    const deep = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;
    const operation = `{"collection":"user","write":${JSON.stringify(userDoc(3))},"precondition":{"kind":"equals","state":{"id":"${uuid(3)}","_deleted":false,"x":${deep}}}}`;
    const answer = await post('sync.batch', `{"operations":[${operation}]}`);
    expect(answer.status, answer.text).toBe(400);
  });

  it('KB3: refuses a push whose assumed state is nested 20,000 levels deep, over a stored document, as BAD_INPUT', async () => {
    expect((await push('user', userDoc(4))).status).toBe(200);
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const row = `{"assumedMasterState":{"id":"${uuid(4)}","_deleted":false,"x":${deep}},"newDocumentState":${JSON.stringify(userDoc(4, { name: 'Changed' }))}}`;
    const answer = await post('sync.push', `{"collection":"user","rows":[${row}]}`);
    expect(answer.status, answer.text).toBe(400);
    expect(await stored(D, 'user', uuid(4))).toEqual(userDoc(4));
  });

  // KB4 (store/increment.ts applyIncrement; batch.ts passed any field): `field: 'name'` stored `name: null`,
  // `field: 'id'` stored `id: null`, an unknown field was added.
  it('KB4: refuses a guarded increment of anything but an integer field its collection declares, writing nothing', async () => {
    const profile = await stored(D, 'user', DEMO_SHOPPER_ID);
    const before = snapshot();
    for (const field of ['name', 'id', 'x']) {
      const answer = await post('sync.batch', JSON.stringify({ operations: [{ collection: 'user', increment: { id: DEMO_SHOPPER_ID, field, by: 1 } }] }));
      expect(answer.status, answer.text).toBe(400);
    }
    expect(snapshot()).toEqual(before);
    expect(await stored(D, 'user', DEMO_SHOPPER_ID)).toEqual(profile);
  });

  // KB5 (draft-writes.ts normalizedDraft: lines, note and slotId came from the Yjs document unchecked).
  it('KB5: refuses, as BAD_INPUT, a draft whose Yjs document names an item that is no id, a fractional count or a note too long', async () => {
    const before = snapshot();
    const edits: DraftEdit[][] = [
      [{ kind: 'setCount', itemId: 'not-an-id', count: 1 }],
      [{ kind: 'setCount', itemId: uuid(50), count: 1.5 }],
      [{ kind: 'setNote', note: 'n'.repeat(1_001) }],
      [{ kind: 'setSlot', slotId: 'not-a-slot' }],
    ];
    for (const [index, edit] of edits.entries()) {
      const ydoc = editDraft(emptyDraftUpdate(), edit);
      for (const status of ['draft', 'placing']) {
        const answer = await push('draftOrders', draft(60 + index, { ydoc, status }));
        expect(answer.status, answer.text).toBe(400);
      }
    }
    expect(snapshot()).toEqual(before);
  });

  it('KB5: refuses a draft of more than 100 lines as BAD_INPUT', async () => {
    const ydoc = editDraft(
      emptyDraftUpdate(),
      Array.from({ length: 101 }, (_, n) => ({ kind: 'setCount' as const, itemId: uuid(0x7000 + n), count: 1 })),
    );
    const answer = await push('draftOrders', draft(70, { ydoc }));
    expect(answer.status, answer.text).toBe(400);
    expect(await stored(D, 'draftOrders', uuid(70))).toBeUndefined();
  });
});
