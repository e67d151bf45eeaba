/**
 * The authorization matrix: every (identity × collection × operation) cell,
 * run against a real server, with the outcome each cell must have written
 * out below by hand from DESIGN.md ("Data" and "Identity and permissions"),
 * never computed by the server's own permission code.
 *
 * The shopper whose data is at stake is the demo shopper (replica D). The
 * other identities try to reach D's collections; the store's collections
 * (availability, catalog) live once, in the store's replica S.
 */
import { httpStatusOf, type ErrorCode, type WireDocument } from '@pourover/protocol';
import { collections, editDraft, shopperReplica, STORE, type CollectionName } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_REPLICA, errorOf, internalsIn, orderDoc, resultOf, streamErrors, userDoc, uuid, type Answer, type SseEvent } from '../test-support.ts';
import { signBlessing } from './blessing-token.ts';
import { isData, LiveStream, snapshotOf, startProbeServer, type ProbeServer } from './probe-support.ts';
import { ephemeralServerKey } from './server-key.ts';

const D = DEMO_REPLICA;
const OTHER_SHOPPER = 'd00dfeed-0000-4000-8000-00000000000b';
const O = shopperReplica(OTHER_SHOPPER);
const S = STORE;

/** DESIGN.md: "availability and catalog belong to the store: the server keeps one copy, in the bluebottle replica". */
const STORE_COLLECTIONS: ReadonlySet<CollectionName> = new Set(['availability', 'catalog']);
/** The replica that holds `collection` for the replica `replica`. */
const homeOf = (collection: CollectionName, replica: string) => (STORE_COLLECTIONS.has(collection) ? S : replica);

type Identity =
  | 'device'
  | 'otherDevice'
  | 'revokedDevice'
  | 'expiredToken'
  | 'forgedSignature'
  | 'tamperedName'
  | 'noCredentials'
  | 'storeOwner';

const who: Record<Identity, string> = {
  device: 'the shopper’s device',
  otherDevice: 'another shopper’s device',
  revokedDevice: 'a revoked device',
  expiredToken: 'an expired token',
  forgedSignature: 'a forged signature',
  tamperedName: 'a tampered blessing name',
  noCredentials: 'no credentials',
  storeOwner: 'the store owner',
};

/** The replica an identity's own requests address (pull, push, stream); none for an identity that is refused. */
const ownReplicaOf: Partial<Record<Identity, string>> = { device: D, otherDevice: O, storeOwner: S };

/**
 * The operations, each aimed at the demo shopper's data as far as the
 * protocol lets the caller name it:
 * - `pull`: a pull from checkpoint null (a pull names no replica: it reads
 *   the caller's own replica, or the store's for availability and catalog);
 * - `get`: `sync.get` of one document naming `replica: D` (the one read that
 *   names a replica);
 * - `push-insert` / `push-update` / `push-delete`: a push of a new document,
 *   of D's document changed (assumed state: D's), of D's document as a
 *   tombstone (a push names no replica: it writes the caller's own);
 * - `batch`: one write of a new document, naming `replica: D` (the shopper's
 *   own device names no replica: its batches address D);
 * - `stream`: the live stream (`sync.stream`); the cell's collection is the
 *   one whose change must, or must not, arrive;
 * - `watch`: `sync.watch` of the collection (initial state, then changes).
 */
const operations = ['pull', 'get', 'push-insert', 'push-update', 'push-delete', 'batch', 'stream', 'watch'] as const;
type Operation = (typeof operations)[number];

/**
 * - `A` allow: the operation reaches D's collection (or the store's, for
 *   availability and catalog): a read delivers the document there, a write
 *   lands there, a stream or watch delivers data (`ready` / `initialized`)
 *   and the change made there.
 * - `O` own replica only: the request succeeds but, as the protocol has it,
 *   reaches only the caller's own replica: none of D's documents is
 *   delivered, D is unchanged, and a write lands in the caller's replica.
 * - `F` refused with 403 FORBIDDEN, `U` refused with 401 UNAUTHENTICATED: no
 *   data delivered, and the store unchanged (every replica's head, the
 *   document rows, the commit counter) and D's document untouched.
 */
type Outcome = 'A' | 'O' | 'F' | 'U';

/** One row per collection; columns in the order of `operations` (pull, get, push-insert, push-update, push-delete, batch, stream, watch). */
type Row = readonly [pull: Outcome, get: Outcome, insert: Outcome, update: Outcome, remove: Outcome, batch: Outcome, stream: Outcome, watch: Outcome];

/** Every request of an identity without a valid, unrevoked blessing is refused as unauthenticated. */
const REFUSED: Row = ['U', 'U', 'U', 'U', 'U', 'U', 'U', 'U'];

const EXPECTED: Record<Identity, Record<CollectionName, Row>> = {
  // DESIGN: the shopper may read, write, admin user and draftOrders; only read
  // placedOrders ("write only by placing", which is a draftOrders write),
  // processedOrders, availability and catalog.
  device: {
    //                 pull get  ins  upd  del  btch strm wtch
    user:             ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'],
    draftOrders:      ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'],
    placedOrders:     ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'A'],
    processedOrders:  ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'A'],
    availability:     ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'A'],
    catalog:          ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'A'],
  },
  // Another shopper is the owner of its own replica O only. Its pulls,
  // pushes and stream address O (so they succeed there, as `O`, except
  // pushes to placedOrders and processedOrders, which no shopper may write,
  // not even in its own replica); naming D (get, batch) is refused; it reads
  // the store's collections like every shopper and writes none of them.
  otherDevice: {
    //                 pull get  ins  upd  del  btch strm wtch
    user:             ['O', 'F', 'O', 'O', 'O', 'F', 'O', 'O'],
    draftOrders:      ['O', 'F', 'O', 'O', 'O', 'F', 'O', 'O'],
    placedOrders:     ['O', 'F', 'F', 'F', 'F', 'F', 'O', 'O'],
    processedOrders:  ['O', 'F', 'F', 'F', 'F', 'F', 'O', 'O'],
    availability:     ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'A'],
    catalog:          ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'A'],
  },
  revokedDevice: { user: REFUSED, draftOrders: REFUSED, placedOrders: REFUSED, processedOrders: REFUSED, availability: REFUSED, catalog: REFUSED },
  expiredToken: { user: REFUSED, draftOrders: REFUSED, placedOrders: REFUSED, processedOrders: REFUSED, availability: REFUSED, catalog: REFUSED },
  forgedSignature: { user: REFUSED, draftOrders: REFUSED, placedOrders: REFUSED, processedOrders: REFUSED, availability: REFUSED, catalog: REFUSED },
  tamperedName: { user: REFUSED, draftOrders: REFUSED, placedOrders: REFUSED, processedOrders: REFUSED, availability: REFUSED, catalog: REFUSED },
  noCredentials: { user: REFUSED, draftOrders: REFUSED, placedOrders: REFUSED, processedOrders: REFUSED, availability: REFUSED, catalog: REFUSED },
  // DESIGN: the store may read user; nothing of draftOrders; read, write
  // (only by batch, the move) and admin placedOrders and processedOrders;
  // everything on availability and catalog. It reaches a shopper's replica
  // only by naming it (get, batch) and by watch (across replicas). Its pull
  // and stream address its own replica S, which holds none of the four
  // shopper collections: `O`, they find nothing. Those collections mean
  // something only in a shopper's replica, so no one writes them into S: the
  // store's pushes of user and draftOrders are refused, though `$owner` of S
  // is the store; placedOrders and processedOrders grant it no push anywhere.
  storeOwner: {
    //                 pull get  ins  upd  del  btch strm wtch
    user:             ['O', 'A', 'F', 'F', 'F', 'F', 'O', 'A'],
    draftOrders:      ['O', 'F', 'F', 'F', 'F', 'F', 'O', 'O'],
    placedOrders:     ['O', 'A', 'F', 'F', 'F', 'A', 'O', 'A'],
    processedOrders:  ['O', 'A', 'F', 'F', 'F', 'A', 'O', 'A'],
    availability:     ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'],
    catalog:          ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'],
  },
};

const identities = Object.keys(who) as Identity[];
const collectionList = Object.keys(collections) as CollectionName[];

type Cell = { name: string; identity: Identity; collection: CollectionName; operation: Operation; outcome: Outcome };

function cellName(identity: Identity, collection: CollectionName, operation: Operation, outcome: Outcome): string {
  switch (outcome) {
    case 'A':
      return `${who[identity]} may ${operation} ${collection}`;
    case 'O':
      return `${who[identity]} may ${operation} ${collection} only in its own replica`;
    case 'F':
      return `${who[identity]} may not ${operation} ${collection} (403)`;
    case 'U':
      return `${who[identity]} may not ${operation} ${collection} (401)`;
  }
}

const cells: Cell[] = identities.flatMap((identity) =>
  collectionList.flatMap((collection) =>
    operations.map((operation, index) => {
      const outcome = EXPECTED[identity][collection][index] as Outcome;
      return { name: cellName(identity, collection, operation, outcome), identity, collection, operation, outcome };
    }),
  ),
);

// ---------------------------------------------------------------------------

const TIME = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T12:00:00.000Z';
let serial = 0x100000;

/** A new valid document of `collection`, with an id no other document has. */
function freshDoc(collection: CollectionName): WireDocument {
  const n = (serial += 1);
  const document = (() => {
    switch (collection) {
      case 'user':
        return userDoc(n);
      case 'draftOrders':
        return orderDoc(n);
      case 'placedOrders':
        return orderDoc(n, { status: 'placed', placedTime: TIME, slotId: uuid(1) });
      case 'processedOrders':
        return orderDoc(n, { status: 'received', placedTime: TIME, receivedTime: LATER, slotId: uuid(1) });
      case 'availability':
        return { id: uuid(n), _deleted: false, start: LATER, end: LATER, capacity: 10, taken: 0, cutoff: TIME };
      case 'catalog':
        return { id: uuid(n), _deleted: false, name: `Item ${n}`, description: '', kind: 'coffee', priceCents: 100, image: 'a'.repeat(64), available: true };
    }
  })();
  const { _deleted, ...fields } = document;
  collections[collection].schema.parse(fields);
  return document;
}

/** `document` with one field changed (a draft's through its Yjs document, as a device edits it). */
function changed(collection: CollectionName, document: WireDocument): WireDocument {
  switch (collection) {
    case 'user':
    case 'catalog':
      return { ...document, name: 'Changed' };
    case 'draftOrders':
      return { ...document, note: 'changed', ydoc: editDraft(String(document['ydoc']), [{ kind: 'setNote', note: 'changed' }]) };
    case 'placedOrders':
    case 'processedOrders':
      return { ...document, note: 'changed' };
    case 'availability':
      return { ...document, capacity: 11 };
  }
}

let server: ProbeServer;
const tokens: Partial<Record<Identity, string>> = {};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const json = (value: unknown) => encodeURIComponent(JSON.stringify(value));

/** `token` with its claims rewritten to name `name`, keeping its signature. */
function renamed(token: string, name: string): string {
  const [payload = '', signature = ''] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string };
  return `${b64({ ...claims, sub: name })}.${signature}`;
}

function post(procedure: string, input: unknown, token?: string): Promise<Answer> {
  return call(server, 'POST', `/trpc/${procedure}`, { token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
}
const query = (procedure: string, input: unknown, token?: string) => call(server, 'GET', `/trpc/${procedure}?input=${json(input)}`, { token });

/** Writes `document` straight into the store (the test's own setup, not a request under test). */
async function place(replica: string, collection: CollectionName, document: WireDocument) {
  const result = await server.store.commit(replica, [{ collection, document, expect: { kind: 'none' } }], 'all');
  expect(result.ok).toBe(true);
}

async function seeded(collection: CollectionName): Promise<WireDocument> {
  const document = freshDoc(collection);
  await place(homeOf(collection, D), collection, document);
  return document;
}

const stored = async (replica: string, collection: CollectionName, id: string) => server.store.get(replica, collection, id);
/**
 * What the store holds: the heads of D, O and S as the store reports them,
 * and from the SQLite file every replica's head, the document rows and the
 * commit counter.
 */
const snapshot = async () => ({
  D: await server.store.head(D),
  O: await server.store.head(O),
  S: await server.store.head(S),
  file: snapshotOf(server.db),
});

beforeAll(async () => {
  server = await startProbeServer();
  const phone = resultOf<{ token: string; blessing: string }>(await post('auth.devSignIn', { device: 'matrix-phone' }));
  const lost = resultOf<{ token: string; blessing: string }>(await post('auth.devSignIn', { device: 'matrix-lost' }));
  // The lost device works until its shopper revokes it from another device.
  expect((await query('sync.pull', { collection: 'user', checkpoint: null, limit: 1 }, lost.token)).status).toBe(200);
  expect(resultOf(await post('auth.revokeDevice', { device: lost.blessing }, phone.token))).toEqual({ revoked: lost.blessing });
  const other = signBlessing(server.key, { name: `${O}:tablet`, ttlSeconds: 3600 });

  tokens.device = phone.token;
  tokens.otherDevice = other;
  tokens.revokedDevice = lost.token;
  tokens.expiredToken = signBlessing(server.key, { name: phone.blessing, ttlSeconds: 1, now: new Date(Date.now() - 3_600_000) });
  tokens.forgedSignature = signBlessing(ephemeralServerKey(), { name: phone.blessing, ttlSeconds: 3600 });
  // The other shopper's own token, edited to claim the demo shopper's device.
  tokens.tamperedName = renamed(other, phone.blessing);
  tokens.storeOwner = signBlessing(server.key, { name: STORE, ttlSeconds: 3600 });
  expect(phone.blessing).toBe(`${D}:matrix-phone`);
  expect(tokens.tamperedName.split('.')[1]).toBe(other.split('.')[1]);
});
afterAll(() => server.stop());

// ---------------------------------------------------------------------------

/** The code of each refusal: `F` forbidden, `U` unauthenticated, `B` bad input (a request that names no replica). */
const refusalCode = { F: 'FORBIDDEN', U: 'UNAUTHENTICATED', B: 'BAD_INPUT' } as const satisfies Record<string, ErrorCode>;

function expectRefused(answer: Answer, outcome: keyof typeof refusalCode) {
  const code: ErrorCode = refusalCode[outcome];
  expect({ status: answer.status, error: errorOf(answer) }).toMatchObject({ status: httpStatusOf[code], error: { code, httpStatus: httpStatusOf[code] } });
  expect(answer.body).not.toHaveProperty('result');
  expect(internalsIn(answer.body)).toEqual([]);
}

/** Heads of every replica other than `except`, as they stand. */
const otherHeads = (heads: Record<string, number>, except: string) => Object.fromEntries(Object.entries(heads).filter(([name]) => name !== except));

async function read(cell: Cell) {
  const { collection, outcome } = cell;
  const token = tokens[cell.identity];
  const victim = await seeded(collection);
  const before = await snapshot();
  const answer =
    cell.operation === 'pull'
      ? await query('sync.pull', { collection, checkpoint: null, limit: 1000 }, token)
      : await query('sync.get', { collection, ids: [victim.id], replica: D }, token);
  expect(await snapshot(), 'a read writes nothing').toEqual(before);
  if (outcome === 'F' || outcome === 'U') return expectRefused(answer, outcome);
  const { documents } = resultOf<{ documents: WireDocument[] }>(answer);
  if (outcome === 'A') {
    expect(documents).toContainEqual(victim);
  } else {
    const own = ownReplicaOf[cell.identity] as string;
    expect(documents.map((document) => document.id)).not.toContain(victim.id);
    const ownDocuments = (await server.store.pull(homeOf(collection, own), collection, 0, 1000)).map((row) => row.document);
    expect(documents).toEqual(ownDocuments);
  }
}

async function write(cell: Cell) {
  const { collection, operation, outcome, identity } = cell;
  const token = tokens[identity];
  const victim = operation === 'push-insert' || operation === 'batch' ? undefined : await seeded(collection);
  const document =
    operation === 'push-update' && victim ? changed(collection, victim) : victim ? { ...victim, _deleted: true } : freshDoc(collection);
  const victimBefore = victim && (await stored(homeOf(collection, D), collection, victim.id));
  const before = await snapshot();

  const answer =
    operation === 'batch'
      ? await post('sync.batch', { ...(identity === 'device' ? {} : { replica: D }), operations: [{ collection, write: document }] }, token)
      : await post('sync.push', { collection, rows: [{ assumedMasterState: victim ?? null, newDocumentState: document }] }, token);
  const after = await snapshot();
  // Only an allowed write may change D's document (or the store's, for its collections).
  if (victim && outcome !== 'A') expect(await stored(homeOf(collection, D), collection, victim.id), 'D’s document').toEqual(victimBefore);

  if (outcome === 'F' || outcome === 'U') {
    expectRefused(answer, outcome);
    expect(after, 'a refused write changes nothing').toEqual(before);
    return;
  }
  const own = ownReplicaOf[identity] as string;
  // Allowed, a write lands on D's side (D, or the store's replica for its collections); `O`, in the caller's own replica.
  const landing = outcome === 'A' ? homeOf(collection, D) : homeOf(collection, own);
  const result = resultOf<Record<string, unknown>>(answer);
  expect(result).toMatchObject(operation === 'batch' ? { ok: true } : { conflicts: [] });
  expect(otherHeads(after.file.heads, landing), `nothing but ${landing} changed`).toEqual(otherHeads(before.file.heads, landing));
  if (outcome === 'O') expect(landing).not.toBe(D);

  const landed = (await stored(landing, collection, document.id))?.document;
  if (operation === 'push-delete') {
    // A draft tombstone for a draft the caller's replica never had writes nothing; any other lands as a tombstone.
    if (outcome === 'A' || collection !== 'draftOrders') expect(landed).toMatchObject({ id: document.id, _deleted: true });
  } else if (collection === 'draftOrders') {
    // The server derives a draft's queryable fields from its Yjs document.
    expect(landed).toMatchObject({ id: document.id, _deleted: false, status: 'draft', note: document['note'] });
  } else {
    expect(landed).toEqual(document);
  }
  if (outcome === 'A' || operation !== 'push-delete' || collection !== 'draftOrders') expect(after.file.heads[landing]).toBeGreaterThan(before.file.heads[landing] ?? 0);
}

type StreamEvent = { kind: string; collection?: string; documents?: { id: string }[] };
type WatchEvent = { kind: string; documents?: { replica: string; document: WireDocument }[] };

/** The typed errors of a refused subscription, whether refused before the stream (a JSON answer) or in it. */
function subscriptionErrors(live: LiveStream, events: SseEvent[]) {
  if (live.status !== 200) {
    let body: unknown;
    try {
      body = JSON.parse(live.text);
    } catch {
      body = undefined;
    }
    return [errorOf({ status: live.status, headers: new Headers(), text: live.text, body })];
  }
  return streamErrors(events);
}

async function expectSubscriptionRefused(live: LiveStream, outcome: 'F' | 'U') {
  const code: ErrorCode = outcome === 'F' ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  await live.waitFor((events) => streamErrors(events).length > 0, 3_000);
  const events = live.events;
  expect(events.filter(isData), 'no data').toEqual([]);
  expect(subscriptionErrors(live, events)).toMatchObject([{ code, httpStatus: httpStatusOf[code] }]);
  expect(internalsIn(events.map((event) => event.data))).toEqual([]);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function stream(cell: Cell) {
  const { collection, outcome, identity } = cell;
  const before = await snapshot();
  const live = new LiveStream(`${server.url}/trpc/sync.stream?input=${json({})}`, tokens[identity]);
  try {
    if (outcome === 'F' || outcome === 'U') {
      await expectSubscriptionRefused(live, outcome);
      expect(await snapshot()).toEqual(before);
      return;
    }
    expect(await live.waitFor((events) => events.some(isData)), 'a ready event').toBe(true);
    expect(live.data[0]).toEqual({ kind: 'ready' });
    expect(await snapshot(), 'opening a stream writes nothing').toEqual(before);
    const delivered = (id: string) => () =>
      (live.data as StreamEvent[]).some((event) => event.kind === 'changes' && event.collection === collection && event.documents?.some((doc) => doc.id === id));

    const victim = freshDoc(collection);
    await place(homeOf(collection, D), collection, victim);
    if (outcome === 'A') {
      expect(await live.waitFor(delivered(victim.id)), 'the change arrives').toBe(true);
    } else {
      // A change in the caller's own replica, after D's: once it arrives, D's would have too.
      const own = ownReplicaOf[identity] as string;
      const sentinel = freshDoc(collection);
      await place(own, collection, sentinel);
      expect(await live.waitFor(delivered(sentinel.id)), 'the change in its own replica arrives').toBe(true);
      await settle();
      expect(delivered(victim.id)(), 'D’s change never arrives').toBe(false);
    }
    expect(live.events.filter((event) => event.event === 'serialized-error')).toEqual([]);
  } finally {
    await live.close();
  }
}

async function watch(cell: Cell) {
  const { collection, outcome, identity } = cell;
  const victim = await seeded(collection);
  const victimHome = homeOf(collection, D);
  const before = await snapshot();
  const live = new LiveStream(`${server.url}/trpc/sync.watch?input=${json({ collection })}`, tokens[identity]);
  try {
    if (outcome === 'F' || outcome === 'U') {
      await expectSubscriptionRefused(live, outcome);
      expect(await snapshot()).toEqual(before);
      return;
    }
    const events = () => live.data as WatchEvent[];
    const watched = () => events().flatMap((event) => event.documents ?? []);
    const seen = (replica: string, id: string) => () => watched().some((entry) => entry.replica === replica && entry.document.id === id);
    expect(await live.waitFor(() => events().some((event) => event.kind === 'initialized')), 'the initial state').toBe(true);
    expect(await snapshot(), 'opening a watch writes nothing').toEqual(before);

    const second = freshDoc(collection);
    await place(victimHome, collection, second);
    if (outcome === 'A') {
      expect(watched()).toContainEqual({ replica: victimHome, document: victim });
      expect(await live.waitFor(seen(victimHome, second.id)), 'the change arrives').toBe(true);
    } else {
      const own = ownReplicaOf[identity] as string;
      const sentinel = freshDoc(collection);
      await place(own, collection, sentinel);
      expect(await live.waitFor(seen(own, sentinel.id)), 'the change in its own replica arrives').toBe(true);
      await settle();
      expect(watched().filter((entry) => entry.replica !== own), 'only its own replica').toEqual([]);
    }
    // A shopper's device never sees another replica's documents, but the store's own collections.
    const own = ownReplicaOf[identity] as string;
    if (identity !== 'storeOwner') expect(watched().filter((entry) => entry.replica !== homeOf(collection, own))).toEqual([]);
    expect(live.events.filter((event) => event.event === 'serialized-error')).toEqual([]);
  } finally {
    await live.close();
  }
}

describe('the authorization matrix (identity × collection × operation), against a real server', () => {
  it('has a cell for each of 8 identities × 6 collections × 8 operations', () => {
    expect(cells).toHaveLength(identities.length * collectionList.length * operations.length);
    expect(cells).toHaveLength(384);
  });

  it.each(cells)('$name', async (cell) => {
    switch (cell.operation) {
      case 'pull':
      case 'get':
        return read(cell);
      case 'push-insert':
      case 'push-update':
      case 'push-delete':
      case 'batch':
        return write(cell);
      case 'stream':
        return stream(cell);
      case 'watch':
        return watch(cell);
    }
  });
});

/**
 * Requests that name a replica (batch, get) must name one the caller may
 * reach: a device only its own shopper's replica (DESIGN: "a device's batch
 * always addresses its own replica; only the store names another"), the
 * store a shopper's replica. A name that is no replica's (only `bluebottle`
 * and `bluebottle:users:<id>` are) is refused as bad input; a replica the
 * caller may not use, as forbidden. Either way nothing is written.
 */
describe('naming a replica', () => {
  const userWrite = () => ({ collection: 'user', write: freshDoc('user') });
  const batchInto = (replica: string, identity: Identity, operation: unknown = userWrite()) =>
    post('sync.batch', { replica, operations: [operation] }, tokens[identity]);

  async function expectRefusedAndNothingWritten(send: () => Promise<Answer>, outcome: 'F' | 'B') {
    const before = await snapshot();
    const answer = await send();
    expectRefused(answer, outcome);
    expect(await snapshot()).toEqual(before);
  }

  it.each([
    ['another shopper’s replica', O],
    ['the store’s replica', S],
  ])('the shopper’s device may not batch into %s (403)', async (_name, replica) => {
    await expectRefusedAndNothingWritten(() => batchInto(replica, 'device'), 'F');
  });

  it.each([
    ['another shopper’s device blessing', `${O}:tablet`],
    ['a name under another shopper’s replica', `${O}:x`],
  ])('the shopper’s device may not batch into %s, which names no replica (400)', async (_name, replica) => {
    await expectRefusedAndNothingWritten(() => batchInto(replica, 'device'), 'B');
  });

  it('another shopper’s device may not get from the shopper’s replica (403)', async () => {
    const victim = await seeded('user');
    expectRefused(await query('sync.get', { collection: 'user', ids: [victim.id], replica: D }, tokens.otherDevice), 'F');
  });

  // KB1 (a wrong allow), sync-server/src/permissions.ts: `$owner` of a replica named `bluebottle:users`
  // resolved to the pattern `bluebottle:users`, which matches every shopper's device, so any device could
  // batch (and get, and administer the syncgroups of) that replica: a store shared by all shoppers, where
  // one shopper writes what every other reads. Likewise a device's own blessing name taken as a replica.
  it('KB1: the shopper’s device may not batch into `bluebottle:users`, a replica every shopper would own (400)', async () => {
    await expectRefusedAndNothingWritten(() => batchInto('bluebottle:users', 'device'), 'B');
  });

  it('KB1: another shopper’s device may not get from `bluebottle:users` what the shopper tried to write there (400)', async () => {
    const planted = freshDoc('user');
    expectRefused(await batchInto('bluebottle:users', 'device', { collection: 'user', write: planted }), 'B');
    const answer = await query('sync.get', { collection: 'user', ids: [planted.id], replica: 'bluebottle:users' }, tokens.otherDevice);
    expectRefused(answer, 'B');
  });

  it('KB1: the shopper’s device may not batch into a replica named after its own device blessing (400)', async () => {
    await expectRefusedAndNothingWritten(() => batchInto(`${D}:matrix-phone`, 'device'), 'B');
  });

  it('KB1: no device may read or administer the syncgroups of `bluebottle:users` (400)', async () => {
    expectRefused(await query('sync.syncgroup', { collection: 'user', replica: 'bluebottle:users' }, tokens.device), 'B');
    const members = [{ pattern: '$owner', grants: ['read', 'write', 'admin'] }];
    await expectRefusedAndNothingWritten(() => post('sync.setSyncgroup', { collection: 'user', replica: 'bluebottle:users', members, version: 0 }, tokens.device), 'B');
  });

  // KB6, sync-server/src/batch.ts: the store's batch could name any string as its replica ('',
  // 'anything', 300 characters) and the server created it.
  it('KB6: the store may not batch into a replica that names no shopper, and no replica is created (400)', async () => {
    const placed = () => ({ collection: 'placedOrders', write: freshDoc('placedOrders') });
    for (const replica of ['not-a-replica', '', 'x'.repeat(300), 'bluebottle:users']) {
      await expectRefusedAndNothingWritten(() => batchInto(replica, 'storeOwner', placed()), 'B');
    }
  });

  it('the store may not batch shopper collections into its own replica, where they mean nothing (403)', async () => {
    for (const collection of ['user', 'draftOrders', 'placedOrders', 'processedOrders'] as const) {
      await expectRefusedAndNothingWritten(() => batchInto(S, 'storeOwner', { collection, write: freshDoc(collection) }), 'F');
    }
  });
});
