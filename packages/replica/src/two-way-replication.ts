import type { PushRow, WireDocument } from '@pourover/protocol';
/** A collection's name, as the app defines it. */
type CollectionName = string;
import type { RxCollection, RxConflictHandler, RxDocumentData } from 'rxdb/plugins/core';
import { BehaviorSubject, combineLatest, filter, firstValueFrom, map, Subject, type Observable, type Subscription } from 'rxjs';
import { chunkBySize } from './chunk-rows.ts';
import type { Credentials } from '@pourover/sync-client';
import type { LegacyReplicationMeta } from './legacy-replication-meta.ts';
import type { ServerPull } from './pull-fresh.ts';
import {
  PullReplication,
  storedState,
  wireState,
  writeStored,
  type CheckpointStore,
  type PulledChange,
  type ServerStates,
} from './pull-replication.ts';
import { errorCodeOf, withRecovery } from '@pourover/sync-client';
import { storedPages } from './stored-pages.ts';
import type { SeqBook } from './seq-book.ts';
import type { SyncClient } from '@pourover/sync-client';
import type { UnsentChanges } from './unsent-changes.ts';

type Doc = Record<string, unknown>;
type Stored = RxDocumentData<Doc>;

/**
 * What a document's `_meta` keeps of its sync: the revision at which it last
 * held the server's state (`rev`), and that state (`base`). A document whose
 * revision is another one holds the device's own writes, to be pushed over
 * `base`. RxDB keeps a document's `_meta` through the app's writes.
 */
type SyncMeta = { rev: string; base: WireDocument };
const META = 'pourover';

/** The context of this replication's own writes; `UnsentChanges` skips every `replication-…` one. */
const CONTEXT = 'replication-pourover-push';
/** Push requests stay under this many bytes of JSON (the server takes at most 1 MiB). */
const MAX_PUSH_BYTES = 768 * 1024;
const PUSH_BATCH = 500;
const PUSHES_IN_FLIGHT = 4;
/**
 * A burst of edits to one document (a note typed, a count tapped up) is
 * pushed as `PUSH_BURST` pushes at once, then one every `PUSH_SPACING_MS`,
 * the last edit included, not one per round trip. On a shared 2-core
 * machine each push of a draft cost about 15 ms of CPU between Chromium and
 * the server, which slowed the edits themselves from 2 to 5 ms, and a device
 * may send the server 50 requests a second. Liveblocks throttles a room's
 * updates the same way (100 ms by default). The burst lets a draft made,
 * filled and placed in a moment go out as fast as the network allows.
 */
const PUSH_SPACING_MS = 50;
const PUSH_BURST = 4;
/** Pushes the server took are recorded in their documents once pushing has paused this long, or at the latest after `SETTLE_MAX_MS`. */
const SETTLE_MS = 1_000;
const SETTLE_MAX_MS = 10_000;
const RESOLVE_TRIES = 5;

const syncMetaOf = (held: Stored) => (held._meta as { [META]?: SyncMeta })[META];
/** The `_meta` of a document written as the server's `state`, at the revision of that write. */
const syncedAt = (state: WireDocument) => (rev: string) => ({ [META]: { rev, base: state } satisfies SyncMeta });

/** A pushed state the server took, until it is recorded in its document. */
type Acked = { stored: Stored; state: WireDocument; refused?: true };

export type TwoWayParts = {
  name: CollectionName;
  collection: RxCollection<Doc>;
  client: SyncClient;
  credentials: Credentials;
  seqs: SeqBook;
  unsent: UnsentChanges;
  pull: ServerPull;
  changes$: Observable<PulledChange>;
  checkpoints: CheckpointStore;
  retryMs: number;
  /** The collection's conflict rule. */
  handler: RxConflictHandler<Doc>;
  /** What RxDB's replication knew of the server, on a device that synced through it. */
  legacy: LegacyReplicationMeta;
};

/**
 * Pushes rows; if the server refuses the device writes to this collection
 * (an admin took its write grant away, say), the server's own state comes back
 * as the conflict, so the collection's rule puts the device back in line. A
 * document the server does not have at all comes back deleted.
 */
async function pushOrRevert(
  client: SyncClient,
  collection: CollectionName,
  rows: PushRow[],
): Promise<{ conflicts: WireDocument[]; seqs: number[] }> {
  try {
    return await client.sync.push.mutate({ collection, rows });
  } catch (error) {
    if (errorCodeOf(error) !== 'FORBIDDEN') throw error;
    const ids = rows.map((row) => row.newDocumentState.id);
    const { documents } = await client.sync.get.query({ collection, ids });
    const current = new Map(documents.map((doc) => [doc.id, doc]));
    return { conflicts: rows.map((row) => current.get(row.newDocumentState.id) ?? { ...row.newDocumentState, _deleted: true }), seqs: [] };
  }
}

/**
 * The sync of a collection the device writes. Each document carries the
 * server state it last held (`SyncMeta`), so the device's writes are found
 * and pushed without a second store: RxDB's replication read and wrote a
 * copy of every pushed document in its meta database, which in Chromium
 * took 2.3 s of a push of 10,000 drafts.
 *
 * - The device's writes are pushed as they come, `PUSH_BATCH` documents a
 *   request and `PUSHES_IN_FLIGHT` requests at a time, each over the state
 *   it started from; a document is pushed `PUSH_BURST` times at once, then
 *   once every `PUSH_SPACING_MS`. A failed push is reported on `error$` and
 *   tried again after `retryMs`.
 * - The server's answer is kept in memory and recorded in the documents
 *   once pushing pauses, in one write, and when the replication stops:
 *   until then a restart pushes them again, which the server takes without
 *   a change.
 * - A conflict (the server held another state) is settled by the
 *   collection's rule and the result pushed again.
 * - Pulls and live changes go through a `PullReplication` that writes the
 *   server's state only over documents with nothing left to push; those
 *   learn it from their push's answer.
 */
export class TwoWayReplication {
  readonly received$: Observable<Stored>;
  readonly error$ = new Subject<unknown>();
  readonly active$: Observable<boolean>;
  readonly #parts: TwoWayParts;
  readonly #down: PullReplication;
  readonly #pushActive$ = new BehaviorSubject(false);
  /** The device's states waiting to be pushed, the newest of each document. */
  readonly #dirty = new Map<string, Stored>();
  readonly #inFlight = new Set<string>();
  /** What each document recently pushed may still push at once (`PUSH_BURST` at most, one more every `PUSH_SPACING_MS`), least recently pushed first. */
  readonly #allowances = new Map<string, { pushes: number; at: number }>();
  readonly #acked = new Map<string, Acked>();
  /** The server's states RxDB's replication kept, for documents written before this replication ran here. */
  #legacyBases = new Map<string, WireDocument>();
  readonly #scanned: Promise<void>;
  #scannedResolve: () => void = () => {};
  #pushes = 0;
  #started = false;
  #scanDone = false;
  #closed = false;
  #subscription: Subscription | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  #spacingTimer: ReturnType<typeof setTimeout> | undefined;
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #unsettledSince: number | null = null;
  #settling: Promise<void> = Promise.resolve();

  constructor(parts: TwoWayParts) {
    this.#parts = parts;
    this.#down = new PullReplication({ ...parts, states: this.#serverStates() });
    this.#down.error$.subscribe(this.error$);
    this.received$ = this.#down.received$;
    this.active$ = combineLatest([this.#down.active$, this.#pushActive$]).pipe(map(([pulling, pushing]) => pulling || pushing));
    this.#scanned = new Promise((resolve) => (this.#scannedResolve = resolve));
  }

  /** Finds the writes not yet pushed, pushes them and each new one, and pulls. */
  start() {
    if (this.#closed || this.#started) return;
    this.#started = true;
    this.#pushActive$.next(true);
    this.#subscription = this.#parts.collection.eventBulks$.subscribe((bulk) => {
      if (bulk.context.startsWith('replication-')) return;
      for (const event of bulk.events) this.#noteLocal(event.documentData as Stored);
      // Pushed on the next turn: the app's write resolves first, and the writes of one turn go together.
      this.#pushActive$.next(true);
      this.#pumpTimer ??= setTimeout(() => {
        this.#pumpTimer = undefined;
        this.#pump();
      });
    });
    void this.#scan().then(() => {
      this.#scanDone = true;
      this.#scannedResolve();
      this.#pump();
    });
    this.#down.start();
  }

  awaitInitialReplication(): Promise<void> {
    return this.awaitInSync();
  }

  /** Resolves once everything pulled is written and every write of the device was pushed. */
  async awaitInSync(): Promise<void> {
    await this.#scanned;
    await this.#down.awaitInSync();
    await firstValueFrom(this.#pushActive$.pipe(filter((active) => !active)));
  }

  /** Stops syncing; pushes the server took are recorded first. */
  async cancel(): Promise<void> {
    this.#closed = true;
    this.#subscription?.unsubscribe();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#pumpTimer);
    clearTimeout(this.#spacingTimer);
    clearTimeout(this.#settleTimer);
    await this.#down.cancel();
    await this.#settling;
    await this.#settle().catch(() => {});
    this.#pushActive$.next(false);
  }

  #noteLocal(held: Stored) {
    const id = String(held['id']);
    const noted = this.#dirty.get(id);
    if (!noted || held._meta.lwt >= noted._meta.lwt) this.#dirty.set(id, held);
  }

  /** Whether `held` is the server's state, as pulled or as pushed and taken. */
  #isClean(held: Stored): boolean {
    return held._rev === syncMetaOf(held)?.rev || held._rev === this.#acked.get(String(held['id']))?.stored._rev;
  }

  /** The server's state the device's writes of `held` started from; none for a document the server never had. */
  #baseOf(held: Stored): WireDocument | null {
    const id = String(held['id']);
    return this.#acked.get(id)?.state ?? syncMetaOf(held)?.base ?? this.#legacyBases.get(id) ?? null;
  }

  /**
   * The documents written on this device that the server has not taken:
   * every one whose revision is not its synced one. RxDB's replication
   * meta, on a device that synced through it, is read first, and deleted
   * once no document needs it.
   */
  async #scan() {
    const { collection, legacy } = this.#parts;
    for (;;) {
      try {
        const bases = await legacy.bases();
        this.#legacyBases = bases ?? new Map();
        let needed = false;
        for await (const page of storedPages(collection.storageInstance)) {
          const unsent = page.filter((held) => !this.#isClean(held));
          for (const held of unsent) {
            this.#noteLocal(held);
            needed ||= !syncMetaOf(held) && this.#legacyBases.has(String(held['id']));
          }
          this.#parts.unsent.found(
            this.#parts.name,
            unsent.map((held) => String(held['id'])),
          );
        }
        if (bases && !needed) await legacy.remove();
        return;
      } catch (error) {
        if (this.#closed) return;
        this.error$.next(error);
        await new Promise((resolve) => setTimeout(resolve, this.#parts.retryMs));
      }
    }
  }

  /** Starts pushes while there are writes to push and room in flight; a document is in one push at a time. */
  #pump() {
    // Pushes wait for the scan: it reads the states RxDB's replication kept, which some pushes go over.
    if (!this.#scanDone || this.#closed) return;
    if (this.#retryTimer !== undefined) return this.#pushActive$.next(true);
    const now = Date.now();
    this.#forgetFullAllowances(now);
    let soonest = Infinity;
    while (this.#pushes < PUSHES_IN_FLIGHT) {
      const batch: Stored[] = [];
      for (const [id, held] of this.#dirty) {
        if (this.#inFlight.has(id)) continue;
        const pushes = this.#allowance(id, now);
        if (pushes < 1) {
          soonest = Math.min(soonest, now + (1 - pushes) * PUSH_SPACING_MS);
          continue;
        }
        batch.push(held);
        if (batch.length === PUSH_BATCH) break;
      }
      if (batch.length === 0) break;
      for (const held of batch) {
        const id = String(held['id']);
        this.#dirty.delete(id);
        this.#inFlight.add(id);
        const pushes = this.#allowance(id, now) - 1;
        this.#allowances.delete(id);
        this.#allowances.set(id, { pushes, at: now });
      }
      this.#pushes += 1;
      void this.#push(batch).finally(() => {
        this.#pushes -= 1;
        for (const held of batch) this.#inFlight.delete(String(held['id']));
        this.#pump();
      });
    }
    if (soonest !== Infinity) {
      clearTimeout(this.#spacingTimer);
      this.#spacingTimer = setTimeout(() => this.#pump(), Math.ceil(soonest - now));
    }
    this.#pushActive$.next(this.#pushes > 0 || this.#dirty.size > 0);
  }

  /** How many pushes a document may start at `now`, fractions included. */
  #allowance(id: string, now: number): number {
    const allowance = this.#allowances.get(id);
    return allowance ? Math.min(PUSH_BURST, allowance.pushes + (now - allowance.at) / PUSH_SPACING_MS) : PUSH_BURST;
  }

  /** Drops the allowances that have grown back to a whole burst. */
  #forgetFullAllowances(now: number) {
    for (const [id, { at }] of this.#allowances) {
      if (now - at < PUSH_BURST * PUSH_SPACING_MS) return;
      this.#allowances.delete(id);
    }
  }

  async #push(batch: Stored[]) {
    const { name, client, credentials, seqs, unsent } = this.#parts;
    const rows = batch.map((held): PushRow & { held: Stored } => ({
      held,
      assumedMasterState: this.#baseOf(held),
      newDocumentState: wireState(held),
    }));
    const sent = unsent.beginPush(
      name,
      rows.map((row) => row.newDocumentState.id),
    );
    const unanswered = new Set(rows);
    const conflicts: { row: (typeof rows)[number]; real: WireDocument }[] = [];
    let settled = 0;
    try {
      await seqs.pushing(name, async () => {
        for (const chunk of chunkBySize(rows, MAX_PUSH_BYTES)) {
          const wire = chunk.map(({ assumedMasterState, newDocumentState }) => ({ assumedMasterState, newDocumentState }));
          const result = await withRecovery(credentials, () => pushOrRevert(client, name, wire));
          seqs.acknowledged(
            name,
            wire.map((row) => row.newDocumentState.id),
            result.seqs,
          );
          const refused = new Map(result.conflicts.map((real) => [real.id, real]));
          for (const row of chunk) {
            unanswered.delete(row);
            const real = refused.get(row.newDocumentState.id);
            if (real) conflicts.push({ row, real });
            else this.#acked.set(row.newDocumentState.id, { stored: row.held, state: row.newDocumentState });
          }
        }
      });
      this.#scheduleSettle();
      for (const { row, real } of conflicts) {
        await this.#resolve(row, real);
        settled += 1;
      }
      sent();
    } catch (error) {
      if (this.#closed) return;
      this.error$.next(error);
      // Pushed again, unless the app wrote a newer state meanwhile.
      for (const row of [...unanswered, ...conflicts.slice(settled).map(({ row }) => row)]) {
        if (!this.#dirty.has(row.newDocumentState.id)) this.#dirty.set(row.newDocumentState.id, row.held);
      }
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#pump();
      }, this.#parts.retryMs);
    }
  }

  /**
   * Settles a push the server refused because it held `real`: the
   * collection's rule merges the device's current state into it. A merge
   * that equals the server's state is written as synced; another one is
   * written over `real` and pushed again.
   */
  async #resolve(row: PushRow & { held: Stored }, real: WireDocument) {
    const { collection, handler } = this.#parts;
    const id = real.id;
    for (let tries = 0; !this.#closed; tries += 1) {
      if (tries === RESOLVE_TRIES) throw new Error(`${collection.name}: ${id} kept changing while its conflict was settled`);
      const [held] = await collection.storageInstance.findDocumentsById([id], true);
      const mine = held ? wireState(held) : row.newDocumentState;
      const equal = handler.isEqual(real, mine, 'upstream-check-if-equal');
      const input = {
        realMasterState: real,
        newDocumentState: mine,
        ...(row.assumedMasterState ? { assumedMasterState: row.assumedMasterState } : {}),
      };
      const merged = equal ? real : ((await handler.resolve(input, 'upstream-conflict')) as WireDocument);
      const synced = equal || handler.isEqual(merged, real, 'upstream-check-if-equal');
      const document = storedState(
        synced ? real : merged,
        held,
        collection.database.token,
        synced ? syncedAt(real) : () => ({ [META]: { rev: '', base: real } }),
      );
      const { error } = await writeStored(collection, [held ? { previous: held, document } : { document }], CONTEXT);
      if (error.length > 0) continue;
      this.#acked.delete(id);
      if (!synced) {
        this.#noteLocal(document);
        this.#pump();
      }
      return;
    }
  }

  /** Whether the server's `document` at `seq` is not older than what the device knows of it now. */
  #isFresh(document: WireDocument, seq: number): boolean {
    return this.#parts.seqs.isFresh(this.#parts.name, document.id, seq);
  }

  /** Whether the device's state and the server's show the same, by the collection's rule. */
  #sameState(mine: WireDocument, server: WireDocument): boolean {
    return this.#parts.handler.isEqual(server, mine, 'downstream-check-if-equal-1');
  }

  /** The pull's rule: the server's state goes only over a document with nothing to push, and the device's own pushed state is not written back. */
  #serverStates(): ServerStates {
    const token = () => this.#parts.collection.database.token;
    return {
      held: (id) => this.#acked.get(id)?.stored,
      wanted: (document, seq) => {
        const acked = this.#acked.get(document.id);
        return this.#isFresh(document, seq) && (!acked || !this.#sameState(acked.state, document));
      },
      stored: (document, previous) => storedState(document, previous, token(), syncedAt(document)),
      // Judged again when written: a push answered since the pull may have made the state stale.
      replaces: (held, document, seq) => this.#isFresh(document, seq) && this.#isClean(held) && !this.#sameState(wireState(held), document),
      written: (document) => void this.#acked.delete(String(document['id'])),
    };
  }

  /** Records the answers once pushing pauses for `SETTLE_MS`, and at the latest `SETTLE_MAX_MS` after the first. */
  #scheduleSettle() {
    if (this.#closed) return;
    this.#unsettledSince ??= Date.now();
    clearTimeout(this.#settleTimer);
    const wait = Math.min(SETTLE_MS, this.#unsettledSince + SETTLE_MAX_MS - Date.now());
    this.#settleTimer = setTimeout(
      () => {
        this.#settling = this.#settling.then(() => this.#settle()).catch((error: unknown) => this.error$.next(error));
      },
      Math.max(0, wait),
    );
  }

  /**
   * Writes the answers to pushes into their documents, as their synced
   * revision and state. A document the app wrote meanwhile is left: its
   * next push goes over the answer kept in memory.
   */
  async #settle() {
    this.#unsettledSince = null;
    const entries = [...this.#acked.values()].filter((acked) => !acked.refused);
    if (entries.length === 0) return;
    const { collection } = this.#parts;
    const rows = entries.map(({ stored, state }) => ({
      previous: stored,
      document: storedState(state, stored, collection.database.token, syncedAt(state)),
    }));
    const { error } = await writeStored(collection, rows, CONTEXT);
    const refused = new Set(error.map((failure) => failure.documentId));
    for (const acked of entries) {
      const id = String(acked.stored['id']);
      if (this.#acked.get(id) !== acked) continue;
      if (refused.has(id)) acked.refused = true;
      else this.#acked.delete(id);
    }
  }
}
