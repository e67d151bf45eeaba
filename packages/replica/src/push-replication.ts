import type { PushRow, WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';
import type { RxCollection, RxConflictHandler, RxDocumentData } from 'rxdb/plugins/core';
import { BehaviorSubject, type Subject } from 'rxjs';
import { chunkBySize } from './chunk-rows.ts';
import type { LegacyReplicationMeta } from './legacy-replication-meta.ts';
import { pushStateAfter, type PushEvent, type PushState } from './replication-state.ts';
import type { ReplicationTransport } from './replication-transport.ts';
import type { SeqBook } from './seq-book.ts';
import { storedPages } from './stored-pages.ts';
import { storedState, wireState, writeStored } from './stored-states.ts';
import { syncedAt, unsentOver, type UnsentWrites } from './unsent-writes.ts';

type Doc = Record<string, unknown>;
type Stored = RxDocumentData<Doc>;

/** The context of this replication's own writes; `TwoWayReplication` takes every write whose context is not `replication-…` for the app's. */
const CONTEXT = 'replication-pourover-push';
/** Push requests stay under this many bytes of JSON (the server takes at most 1 MiB). */
const MAX_PUSH_BYTES = 768 * 1024;
const PUSH_BATCH = 500;
const PUSHES_IN_FLIGHT = 4;
/**
 * A burst of edits to one document (a note typed, a count tapped up) is
 * pushed as `PUSH_BURST` pushes at once, then one every `PUSH_SPACING_MS`,
 * the last edit included, not one per round trip: each push of a document costs
 * CPU on the device and the server (docs/benchmarks.md). The burst lets a
 * document made and changed several times in a moment go out as fast as the network allows.
 */
const PUSH_SPACING_MS = 50;
const PUSH_BURST = 4;
/** Pushes the server took are recorded in their documents once pushing has paused this long, or at the latest after `SETTLE_MAX_MS`. */
const SETTLE_MS = 1_000;
const SETTLE_MAX_MS = 10_000;
const RESOLVE_TRIES = 5;

export type PushParts = {
  name: CollectionName;
  collection: RxCollection<Doc>;
  transport: ReplicationTransport;
  seqs: SeqBook;
  book: UnsentWrites;
  retryMs: number;
  /** The collection's conflict rule. */
  handler: RxConflictHandler<Doc>;
  /** What RxDB's replication knew of the server, on a device that synced through it. */
  legacy: LegacyReplicationMeta;
  error$: Subject<unknown>;
  /** Resolves once the device knows which of the server's histories its bases belong to (see `pushAllAgain`). */
  historyKnown: () => Promise<void>;
};

/**
 * The push half of a collection's two-way replication. It reads what to
 * push from the `UnsentWrites` book and tells the book what the server
 * answered; its own state (`PushState`) changes only through `#on`.
 *
 * - The writes are pushed as they come, `PUSH_BATCH` documents a request and
 *   `PUSHES_IN_FLIGHT` requests at a time, each over the state it started
 *   from; a document is pushed `PUSH_BURST` times at once, then once every
 *   `PUSH_SPACING_MS`. A failed push is reported on `error$` and tried again
 *   after `retryMs`.
 * - The server's answer is kept in the book and recorded in the documents
 *   once pushing pauses, in one write, and when the replication stops:
 *   until then a restart pushes them again, which the server takes without
 *   a change.
 * - A conflict (the server held another state) is settled by the
 *   collection's rule and the result pushed again.
 */
export class PushReplication {
  readonly state$ = new BehaviorSubject<PushState>('unstarted');
  readonly #parts: PushParts;
  /** What each document recently pushed may still push at once (`PUSH_BURST` at most, one more every `PUSH_SPACING_MS`), least recently pushed first. */
  readonly #allowances = new Map<string, { pushes: number; at: number }>();
  #pushes = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  #spacingTimer: ReturnType<typeof setTimeout> | undefined;
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #unsettledSince: number | null = null;
  #settling: Promise<void> = Promise.resolve();

  constructor(parts: PushParts) {
    this.#parts = parts;
  }

  get #stopped(): boolean {
    return this.state$.value === 'stopped';
  }

  /** The one place the push state changes. */
  #on(event: PushEvent) {
    const next = pushStateAfter(this.state$.value, event);
    if (next !== this.state$.value) this.state$.next(next);
  }

  /** Finds the writes a previous run left unsent, then pushes them and each new one. */
  start(): Promise<void> {
    this.#on({ kind: 'start' });
    return this.#scan().then(() => {
      this.#on({ kind: 'scanned' });
      this.#pump();
    });
  }

  /** The app wrote (the book has the states): they are pushed on the next turn, so the app's write resolves first and the writes of one turn go together. */
  wrote() {
    this.#on({ kind: 'wrote' });
    this.#pumpTimer ??= setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump();
    });
  }

  /** Stops pushing at once: nothing starts after this. */
  stop() {
    this.#on({ kind: 'stop' });
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#pumpTimer);
    clearTimeout(this.#spacingTimer);
    clearTimeout(this.#settleTimer);
  }

  /**
   * The server's history began again (a restore gave it a new epoch): it may
   * have lost any state the device holds. Every document is written as
   * unsent over no state of the server's, so the pull leaves it, a crash
   * keeps it unsent, and it is pushed again. Where the server now holds
   * another state (or the same), it answers a conflict, and the rule,
   * given no assumed state, takes every field of the device's as its
   * write: a field rule over the device's last known state would take the
   * restored state's fields for the server's newer ones, and lose what the
   * server had acknowledged after the backup.
   */
  async pushAllAgain(): Promise<void> {
    const { collection, book } = this.#parts;
    book.serverForgot();
    const held: Stored[] = [];
    // Read first: each write moves the document to the end of the storage's change sequence.
    for await (const page of storedPages(collection.storageInstance)) held.push(...page);
    let rows = held.map((previous) => ({
      previous,
      document: storedState(wireState(previous), previous, collection.database.token, unsentOver(null)),
    }));
    for (let tries = 0; rows.length > 0; tries += 1) {
      if (tries === RESOLVE_TRIES) throw new Error(`${collection.name}: ${rows.length} documents kept changing while marked to push again`);
      const { error } = await writeStored(collection, rows, CONTEXT);
      const refused = new Map(error.map((failure) => [failure.documentId, failure]));
      book.wrote(rows.filter((row) => !refused.has(String(row.document['id']))).map((row) => row.document));
      rows = [...refused.values()].flatMap((failure) => {
        if (failure.status !== 409 || !failure.documentInDb)
          throw new Error(`${collection.name}: writing ${failure.documentId} failed (${failure.status})`);
        const previous = failure.documentInDb;
        return [{ previous, document: storedState(wireState(previous), previous, collection.database.token, unsentOver(null)) }];
      });
    }
    this.wrote();
  }

  /** Records in their documents what the server took, once any recording under way has ended (when the replication stops). */
  async recordTaken(): Promise<void> {
    await this.#settling;
    await this.#settle().catch(() => {});
  }

  /**
   * The documents written on this device that the server has not taken:
   * every one whose revision is not its synced one. RxDB's replication
   * meta, on a device that synced through it, is read first, and deleted
   * once no document needs it.
   */
  async #scan() {
    const { collection, legacy, book } = this.#parts;
    for (;;) {
      try {
        const bases = await legacy.bases();
        book.useLegacyBases(bases ?? new Map());
        let needed = false;
        for await (const page of storedPages(collection.storageInstance)) {
          const unsent = page.filter((held) => !book.isClean(held));
          for (const held of unsent) needed ||= book.needsLegacyBase(held);
          book.wrote(unsent);
        }
        if (bases && !needed) await legacy.remove();
        return;
      } catch (error) {
        if (this.#stopped) return;
        this.#parts.error$.next(error);
        await new Promise((resolve) => setTimeout(resolve, this.#parts.retryMs));
      }
    }
  }

  /** Starts pushes while there are writes to push and room in flight; a document is in one push at a time. */
  #pump() {
    // Pushes wait for the scan: it reads the states RxDB's replication kept, which some pushes go over.
    const state = this.state$.value;
    if (state !== 'idle' && state !== 'pushing') return;
    const { book } = this.#parts;
    const now = Date.now();
    this.#forgetFullAllowances(now);
    let soonest = Infinity;
    while (this.#pushes < PUSHES_IN_FLIGHT) {
      const batch: Stored[] = [];
      for (const [id, held] of book.ready()) {
        const pushes = this.#allowance(id, now);
        if (pushes < 1) {
          soonest = Math.min(soonest, now + (1 - pushes) * PUSH_SPACING_MS);
          continue;
        }
        batch.push(held);
        if (batch.length === PUSH_BATCH) break;
      }
      if (batch.length === 0) break;
      book.sending(batch);
      for (const held of batch) {
        const id = String(held['id']);
        const pushes = this.#allowance(id, now) - 1;
        this.#allowances.delete(id);
        this.#allowances.set(id, { pushes, at: now });
      }
      this.#pushes += 1;
      void this.#push(batch).finally(() => {
        this.#pushes -= 1;
        book.ended(batch);
        this.#pump();
      });
    }
    if (soonest !== Infinity) {
      clearTimeout(this.#spacingTimer);
      this.#spacingTimer = setTimeout(() => this.#pump(), Math.ceil(soonest - now));
    }
    this.#on({ kind: 'pumped', busy: this.#pushes > 0 || book.waiting > 0 });
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
    const { name, transport, seqs, book } = this.#parts;
    const histories = book.histories;
    try {
      await this.#parts.historyKnown();
    } catch {
      return; // The stream closed: the replication stops.
    }
    // The server's history began again meanwhile: these states were marked to push again, and wait in the book.
    if (this.#stopped || book.histories !== histories) return;
    const rows = batch.map((held): PushRow & { held: Stored } => ({
      held,
      assumedMasterState: book.baseOf(held),
      newDocumentState: wireState(held),
    }));
    const unanswered = new Set(rows);
    const conflicts: { row: (typeof rows)[number]; real: WireDocument }[] = [];
    let settled = 0;
    try {
      // Changes streamed meanwhile wait for the conflicts too: a newer state the pull met over a document still unsettled
      // would be left to this push's answer, and a conflict settled as the server's older state would hold that for good.
      await seqs.pushing(name, async () => {
        for (const chunk of chunkBySize(rows, MAX_PUSH_BYTES)) {
          const wire = chunk.map(({ assumedMasterState, newDocumentState }) => ({ assumedMasterState, newDocumentState }));
          const result = await transport.push(name, wire);
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
            else book.took(row.held, row.newDocumentState);
          }
        }
        this.#scheduleSettle();
        for (const { row, real } of conflicts) {
          await this.#resolve(row, real);
          settled += 1;
        }
      });
    } catch (error) {
      if (this.#stopped) return;
      this.#parts.error$.next(error);
      for (const row of [...unanswered, ...conflicts.slice(settled).map(({ row }) => row)]) book.unanswered(row.held);
      this.#on({ kind: 'push-failed' });
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#on({ kind: 'retry-due' });
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
    const { collection, handler, book } = this.#parts;
    const id = real.id;
    for (let tries = 0; !this.#stopped; tries += 1) {
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
      const document = storedState(synced ? real : merged, held, collection.database.token, synced ? syncedAt(real) : unsentOver(real));
      const { error } = await writeStored(collection, [held ? { previous: held, document } : { document }], CONTEXT);
      if (error.length > 0) continue;
      book.synced(id);
      if (!synced) {
        book.wrote([document]);
        this.#pump();
      }
      return;
    }
  }

  /** Records the answers once pushing pauses for `SETTLE_MS`, and at the latest `SETTLE_MAX_MS` after the first. */
  #scheduleSettle() {
    if (this.#stopped) return;
    this.#unsettledSince ??= Date.now();
    clearTimeout(this.#settleTimer);
    const wait = Math.min(SETTLE_MS, this.#unsettledSince + SETTLE_MAX_MS - Date.now());
    this.#settleTimer = setTimeout(
      () => {
        this.#settling = this.#settling.then(() => this.#settle()).catch((error: unknown) => this.#parts.error$.next(error));
      },
      Math.max(0, wait),
    );
  }

  /**
   * Writes the answers to pushes into their documents, as their synced
   * revision and state. A document the app wrote meanwhile is left: its
   * next push goes over the answer kept in the book.
   */
  async #settle() {
    this.#unsettledSince = null;
    const { collection, book } = this.#parts;
    const entries = book.toRecord();
    if (entries.length === 0) return;
    const rows = entries.map(({ stored, state }) => ({
      previous: stored,
      document: storedState(state, stored, collection.database.token, syncedAt(state)),
    }));
    const { error } = await writeStored(collection, rows, CONTEXT);
    const refused = new Set(error.map((failure) => failure.documentId));
    for (const taken of entries) book.recorded(taken, refused.has(String(taken.stored['id'])));
  }
}
