import type { Checkpoint, PullResponse, PushResponse, PushRow, StreamEvent, WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';
import { deepEqual } from 'rxdb/plugins/utils';
import type { ReplicationTransport, StreamListener } from '../src/replication-transport.ts';

type Held = { state: WireDocument; seq: number };

/** What a backup of the memory server holds. */
export type MemorySnapshot = { documents: Map<string, Held>; seq: number };

const newEpoch = () => crypto.randomUUID().replaceAll('-', '').slice(0, 16);

/** Fails a call as a dropped network would. */
export class Unreachable extends Error {
  constructor() {
    super('the memory server is unreachable');
  }
}

/**
 * A sync server kept in memory, with the rules the real one keeps for
 * replication: one change log per replica, a push taken only over the state
 * the device assumed (else the server's state comes back as a conflict), a
 * retried push that changes nothing twice, and a live stream that says
 * `ready` and then carries each commit. Faults are asked for by name.
 */
export class MemoryServer {
  #documents = new Map<string, Held>();
  readonly #listeners = new Set<StreamListener>();
  #seq = 0;
  /** The name of the history the data belongs to; a restore gives a new one. */
  epoch = newEpoch();
  /** Every state a push changed, in order: a write taken twice would show twice. */
  readonly writes: { collection: CollectionName; state: WireDocument; seq: number }[] = [];
  /** Stream events held back while `holdStream` is on, to be sent, dropped or reordered by the test. */
  readonly heldEvents: StreamEvent[] = [];
  holdStream = false;
  reachable = true;
  #answersToLose = 0;

  /** The next `count` pushes are applied, and their answers lost on the way back. */
  loseAnswers(count: number) {
    this.#answersToLose += count;
  }

  /** A backup of the data as it is now. */
  snapshot(): MemorySnapshot {
    return { documents: new Map(this.#documents), seq: this.#seq };
  }

  /**
   * Restores a backup as `pourover-server restore` does: the data and the
   * change log go back to it, under a new epoch, and every live stream
   * breaks (the server was stopped for it).
   */
  restore(snapshot: MemorySnapshot) {
    this.#documents = new Map(snapshot.documents);
    this.#seq = snapshot.seq;
    this.epoch = newEpoch();
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener.ended(new Unreachable());
  }

  stateOf(collection: CollectionName, id: string): WireDocument | undefined {
    return this.#documents.get(`${collection}/${id}`)?.state;
  }

  /** Writes a state as another device's push would, and streams it. */
  write(collection: CollectionName, state: WireDocument): number {
    const seq = ++this.#seq;
    this.#documents.set(`${collection}/${state.id}`, { state, seq });
    this.writes.push({ collection, state, seq });
    this.#send({ kind: 'changes', collection, documents: [state], seqs: [seq], checkpoint: { seq, epoch: this.epoch } });
    return seq;
  }

  /** Sends the held events in the sequence `indexes` gives (indexes into `heldEvents`), and forgets all of them. */
  releaseHeld(indexes: readonly number[] = this.heldEvents.map((_, index) => index)) {
    const events = indexes.flatMap((index) => this.heldEvents[index] ?? []);
    this.heldEvents.length = 0;
    for (const event of events) for (const listener of this.#listeners) listener.event(event);
  }

  /** A transport to this server, for one device; once `cut`, its calls never answer and its stream hears nothing (the device was killed). */
  transport(): ReplicationTransport & { cut(): void } {
    let cut = false;
    const mine = new Set<StreamListener>();
    const call = async <T>(answer: () => T): Promise<T> => {
      await Promise.resolve();
      if (cut) return new Promise<never>(() => {});
      if (!this.reachable) throw new Unreachable();
      return answer();
    };
    return {
      cut: () => {
        cut = true;
        for (const listener of mine) this.#listeners.delete(listener);
      },
      pull: (collection, checkpoint, limit) => call(() => this.#pull(collection, checkpoint, limit)),
      push: (collection, rows) =>
        call(() => {
          const answer = this.#push(collection, rows);
          if (this.#answersToLose === 0) return answer;
          this.#answersToLose -= 1;
          throw new Unreachable();
        }),
      stream: (listener) => {
        if (cut) return { unsubscribe: () => {} };
        mine.add(listener);
        this.#listeners.add(listener);
        queueMicrotask(() => {
          if (!this.#listeners.has(listener)) return;
          listener.connection('open', null);
          listener.event({ kind: 'ready', epoch: this.epoch });
        });
        return { unsubscribe: () => void this.#listeners.delete(listener) };
      },
      renewed: async () => false,
    };
  }

  #pull(collection: CollectionName, checkpoint: Checkpoint | null, limit: number): PullResponse {
    const reset = checkpoint?.epoch !== undefined && checkpoint.epoch !== this.epoch;
    const after = reset ? 0 : (checkpoint?.seq ?? 0);
    const changed = [...this.#documents.entries()]
      .filter(([key, held]) => key.startsWith(`${collection}/`) && held.seq > after)
      .map(([, held]) => held)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    const last = changed.at(-1);
    return {
      documents: changed.map((held) => held.state),
      seqs: changed.map((held) => held.seq),
      checkpoint: { seq: last?.seq ?? after, epoch: this.epoch },
      ...(reset ? { reset: true as const } : {}),
    };
  }

  #push(collection: CollectionName, rows: PushRow[]): PushResponse {
    const conflicts: WireDocument[] = [];
    const seqs: number[] = [];
    const changed: { state: WireDocument; seq: number }[] = [];
    for (const { assumedMasterState, newDocumentState } of rows) {
      const held = this.#documents.get(`${collection}/${newDocumentState.id}`);
      if (held && deepEqual(held.state, newDocumentState)) {
        seqs.push(held.seq);
        continue;
      }
      if (!deepEqual(held?.state ?? null, assumedMasterState ?? null)) {
        conflicts.push(held?.state ?? { ...newDocumentState, _deleted: true });
        seqs.push(held?.seq ?? 0);
        continue;
      }
      const seq = ++this.#seq;
      this.#documents.set(`${collection}/${newDocumentState.id}`, { state: newDocumentState, seq });
      this.writes.push({ collection, state: newDocumentState, seq });
      changed.push({ state: newDocumentState, seq });
      seqs.push(seq);
    }
    const last = changed.at(-1);
    if (last) {
      this.#send({
        kind: 'changes',
        collection,
        documents: changed.map(({ state }) => state),
        seqs: changed.map(({ seq }) => seq),
        checkpoint: { seq: last.seq, epoch: this.epoch },
      });
    }
    return { conflicts, seqs };
  }

  #send(event: StreamEvent) {
    if (this.holdStream) return void this.heldEvents.push(event);
    for (const listener of this.#listeners) listener.event(event);
  }
}
