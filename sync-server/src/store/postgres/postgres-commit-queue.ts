import { CommitUnknown, type CommitOutcome, type CommitRequest } from './postgres-commit.ts';
import { isDatabaseUnavailable } from './postgres-unavailable.ts';

type Waiting = { request: CommitRequest; resolve: (outcome: CommitOutcome) => void; reject: (error: unknown) => void };

/** The most writes one group carries; a commit larger than this still goes, alone. */
const MAX_GROUP_WRITES = 2_000;

/**
 * Group commit for one server node: the commits asked for while a group is
 * being written go together in the next, as one transaction (`runGroup`).
 * One group at a time, so a busy node's groups grow and a quiet node's
 * commits go at once. A group that fails before its COMMIT is tried again
 * commit by commit, so one commit's error is its own; a COMMIT that fails
 * leaves its outcome unknown, and that error goes to each of its commits, as
 * does a database that could not be reached (trying each commit alone would
 * only wait out the same timeout once per commit).
 */
export class CommitQueue {
  readonly #runGroup: (requests: readonly CommitRequest[]) => Promise<CommitOutcome[]>;
  #waiting: Waiting[] = [];
  readonly #onGroup: ((commits: number) => void) | undefined;
  #draining: Promise<void> | undefined;

  /** `onGroup` is told how many commits each group carried (a server's metrics). */
  constructor(runGroup: (requests: readonly CommitRequest[]) => Promise<CommitOutcome[]>, onGroup?: (commits: number) => void) {
    this.#runGroup = runGroup;
    this.#onGroup = onGroup;
  }

  commit(request: CommitRequest): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      // The next turn of the event loop, so the commits asked for in this one go together.
      this.#draining ??= new Promise<void>((started) => setImmediate(started)).then(() => this.#drain());
    });
  }

  /** Settles once every commit asked for so far is written or refused. */
  async idle(): Promise<void> {
    await this.#draining;
  }

  async #drain() {
    while (this.#waiting.length > 0) {
      const group = this.#nextGroup();
      this.#onGroup?.(group.length);
      await this.#write(group);
    }
    this.#draining = undefined;
  }

  #nextGroup(): Waiting[] {
    let writes = 0;
    let taken = 0;
    for (const waiting of this.#waiting) {
      writes += waiting.request.writes.length;
      if (taken > 0 && writes > MAX_GROUP_WRITES) break;
      taken += 1;
    }
    return this.#waiting.splice(0, taken);
  }

  async #write(group: Waiting[]) {
    try {
      const outcomes = await this.#runGroup(group.map((waiting) => waiting.request));
      group.forEach((waiting, index) => waiting.resolve(outcomes[index] as CommitOutcome));
    } catch (error) {
      if (group.length === 1 || error instanceof CommitUnknown || isDatabaseUnavailable(error)) {
        for (const waiting of group) waiting.reject(error);
        return;
      }
      for (const waiting of group) await this.#write([waiting]);
    }
  }
}
