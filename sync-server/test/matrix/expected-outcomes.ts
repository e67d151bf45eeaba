/**
 * What each cell of the authorization matrix (identity × collection ×
 * operation) must do, written out by hand from DESIGN.md ("Data" and
 * "Identity and permissions"), never computed by the server's own
 * permission code.
 *
 * The shopper whose data is at stake is the demo shopper (replica D). The
 * other identities try to reach D's collections; the store's collections
 * (availability, catalog) live once, in the store's replica S.
 */
import { collections, shopperReplica, STORE, type CollectionName } from '@pourover/schemas';
import { DEMO_REPLICA } from '../support/test-server.ts';

/** The collections a shopper's replica D holds, or the store's: deliveries live in drivers' replicas, and their cells are the drivers' (test/deliveries.test.ts). */
export type MatrixCollection = Exclude<CollectionName, 'deliveries'>;

export const D = DEMO_REPLICA;
const OTHER_SHOPPER = 'd00dfeed-0000-4000-8000-00000000000b';
export const O = shopperReplica(OTHER_SHOPPER);
export const S = STORE;

/** DESIGN.md: "availability and catalog belong to the store: the server keeps one copy, in the bluebottle replica". */
const STORE_COLLECTIONS: ReadonlySet<MatrixCollection> = new Set(['availability', 'catalog']);
/** The replica that holds `collection` for the replica `replica`. */
export const homeOf = (collection: MatrixCollection, replica: string) => (STORE_COLLECTIONS.has(collection) ? S : replica);

export type Identity =
  | 'device'
  | 'otherDevice'
  | 'revokedDevice'
  | 'expiredToken'
  | 'forgedSignature'
  | 'tamperedName'
  | 'noCredentials'
  | 'storeOwner'
  | 'driver'
  | 'removedDriver';

const who: Record<Identity, string> = {
  device: 'the shopper’s device',
  otherDevice: 'another shopper’s device',
  revokedDevice: 'a revoked device',
  expiredToken: 'an expired token',
  forgedSignature: 'a forged signature',
  tamperedName: 'a tampered blessing name',
  noCredentials: 'no credentials',
  storeOwner: 'the store owner',
  driver: 'a driver’s phone',
  removedDriver: 'a removed driver’s phone',
};

/** The replica an identity's own requests address (pull, push, stream); none for an identity that is refused. */
export const ownReplicaOf: Partial<Record<Identity, string>> = { device: D, otherDevice: O, storeOwner: S };

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
export const operations = ['pull', 'get', 'push-insert', 'push-update', 'push-delete', 'batch', 'stream', 'watch'] as const;
export type Operation = (typeof operations)[number];

/**
 * - `A` allow: the operation reaches D's collection (or the store's, for
 *   availability and catalog): a read delivers the document there, a write
 *   lands there, a stream or watch delivers data (`ready` / `initialized`)
 *   and the change made there.
 * - `O` own replica only: the request succeeds but, as the protocol has it,
 *   reaches only the caller's own replica: none of D's documents is
 *   delivered, D is unchanged, and a write lands in the caller's replica.
 * - `N` nothing (a stream only): the stream opens (`ready`) and delivers
 *   nothing of the collection, neither D's change nor any other.
 * - `F` refused with 403 FORBIDDEN, `U` refused with 401 UNAUTHENTICATED: no
 *   data delivered, and the store unchanged (every replica's head, the
 *   document rows, the commit counter) and D's document untouched.
 */
export type Outcome = 'A' | 'O' | 'N' | 'F' | 'U';

/** One row per collection; columns in the order of `operations` (pull, get, push-insert, push-update, push-delete, batch, stream, watch). */
type Row = readonly [
  pull: Outcome,
  get: Outcome,
  insert: Outcome,
  update: Outcome,
  remove: Outcome,
  batch: Outcome,
  stream: Outcome,
  watch: Outcome,
];

/** Every request of an identity without a valid, unrevoked blessing is refused as unauthenticated. */
const REFUSED: Row = ['U', 'U', 'U', 'U', 'U', 'U', 'U', 'U'];

const EXPECTED: Record<Identity, Record<MatrixCollection, Row>> = {
  // DESIGN: the shopper may read, write, admin user, draftOrders and orderRequests; only read
  // placedOrders ("write only by placing", which is a draftOrders write),
  // processedOrders, availability and catalog. Drafts are written by push
  // only, where the server merges them and applies the order rules, so no
  // batch writes them; watching across replicas is the store's alone.
  device: {
    //                 pull get  ins  upd  del  btch strm wtch
    user: ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'F'],
    draftOrders: ['A', 'A', 'A', 'A', 'A', 'F', 'A', 'F'],
    placedOrders: ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'F'],
    processedOrders: ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'F'],
    orderRequests: ['A', 'A', 'A', 'A', 'A', 'F', 'A', 'F'],
    availability: ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'F'],
    catalog: ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'F'],
  },
  // Another shopper is the owner of its own replica O only. Its pulls,
  // pushes and stream address O (so they succeed there, as `O`, except
  // pushes to placedOrders and processedOrders, which no shopper may write,
  // not even in its own replica); naming D (get, batch) is refused; it reads
  // the store's collections like every shopper and writes none of them; no
  // shopper watches.
  otherDevice: {
    //                 pull get  ins  upd  del  btch strm wtch
    user: ['O', 'F', 'O', 'O', 'O', 'F', 'O', 'F'],
    draftOrders: ['O', 'F', 'O', 'O', 'O', 'F', 'O', 'F'],
    placedOrders: ['O', 'F', 'F', 'F', 'F', 'F', 'O', 'F'],
    processedOrders: ['O', 'F', 'F', 'F', 'F', 'F', 'O', 'F'],
    orderRequests: ['O', 'F', 'O', 'O', 'O', 'F', 'O', 'F'],
    availability: ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'F'],
    catalog: ['A', 'A', 'F', 'F', 'F', 'F', 'A', 'F'],
  },
  revokedDevice: {
    user: REFUSED,
    draftOrders: REFUSED,
    placedOrders: REFUSED,
    processedOrders: REFUSED,
    orderRequests: REFUSED,
    availability: REFUSED,
    catalog: REFUSED,
  },
  expiredToken: {
    user: REFUSED,
    draftOrders: REFUSED,
    placedOrders: REFUSED,
    processedOrders: REFUSED,
    orderRequests: REFUSED,
    availability: REFUSED,
    catalog: REFUSED,
  },
  forgedSignature: {
    user: REFUSED,
    draftOrders: REFUSED,
    placedOrders: REFUSED,
    processedOrders: REFUSED,
    orderRequests: REFUSED,
    availability: REFUSED,
    catalog: REFUSED,
  },
  tamperedName: {
    user: REFUSED,
    draftOrders: REFUSED,
    placedOrders: REFUSED,
    processedOrders: REFUSED,
    orderRequests: REFUSED,
    availability: REFUSED,
    catalog: REFUSED,
  },
  noCredentials: {
    user: REFUSED,
    draftOrders: REFUSED,
    placedOrders: REFUSED,
    processedOrders: REFUSED,
    orderRequests: REFUSED,
    availability: REFUSED,
    catalog: REFUSED,
  },
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
    user: ['O', 'A', 'F', 'F', 'F', 'F', 'O', 'A'],
    draftOrders: ['O', 'F', 'F', 'F', 'F', 'F', 'O', 'O'],
    placedOrders: ['O', 'A', 'F', 'F', 'F', 'A', 'O', 'A'],
    processedOrders: ['O', 'A', 'F', 'F', 'F', 'A', 'O', 'A'],
    orderRequests: ['O', 'A', 'F', 'F', 'F', 'F', 'O', 'A'],
    availability: ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'],
    catalog: ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'],
  },
  // A driver (`bluebottle:drivers:<id>:<device>`) is a member of no syncgroup
  // of the shop: not `$owner` of any shopper's replica, not `bluebottle:users`
  // (the store's collections), not `bluebottle:$`. Its own replica is a
  // driver's, which holds none of the shopper's collections, so even its
  // pulls and pushes there are refused. Its stream opens (its own replica
  // will hold the deliveries) and carries nothing of these collections; only
  // the store watches.
  driver: {
    //                 pull get  ins  upd  del  btch strm wtch
    user: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
    draftOrders: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
    placedOrders: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
    processedOrders: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
    orderRequests: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
    availability: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
    catalog: ['F', 'F', 'F', 'F', 'F', 'F', 'N', 'F'],
  },
  // The store removed the driver: every phone of theirs was revoked with it.
  removedDriver: {
    user: REFUSED,
    draftOrders: REFUSED,
    placedOrders: REFUSED,
    processedOrders: REFUSED,
    orderRequests: REFUSED,
    availability: REFUSED,
    catalog: REFUSED,
  },
};

export const identities = Object.keys(who) as Identity[];
export const collectionList = (Object.keys(collections) as CollectionName[]).filter(
  (name): name is MatrixCollection => name !== 'deliveries',
);

export type Cell = { name: string; identity: Identity; collection: MatrixCollection; operation: Operation; outcome: Outcome };

function cellName(identity: Identity, collection: MatrixCollection, operation: Operation, outcome: Outcome): string {
  switch (outcome) {
    case 'A':
      return `${who[identity]} may ${operation} ${collection}`;
    case 'O':
      return `${who[identity]} may ${operation} ${collection} only in its own replica`;
    case 'N':
      return `${who[identity]} may ${operation} but gets nothing of ${collection}`;
    case 'F':
      return `${who[identity]} may not ${operation} ${collection} (403)`;
    case 'U':
      return `${who[identity]} may not ${operation} ${collection} (401)`;
  }
}

export const cells: Cell[] = identities.flatMap((identity) =>
  collectionList.flatMap((collection) =>
    operations.map((operation, index) => {
      const outcome = EXPECTED[identity][collection][index] as Outcome;
      return { name: cellName(identity, collection, operation, outcome), identity, collection, operation, outcome };
    }),
  ),
);
