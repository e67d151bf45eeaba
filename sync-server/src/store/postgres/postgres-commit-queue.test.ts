/**
 * The queue's own rules, with a group writer that records what it is given:
 * what PostgreSQL does with a group is the conformance suite's part
 * (`postgres-store.pg.test.ts`).
 */
import { PouroverError } from '@pourover/protocol';
import { describe, expect, it } from 'vitest';
import { userDoc } from '../../../test/support/test-server.ts';
import { CommitUnknown, type CommitOutcome, type CommitRequest } from './postgres-commit.ts';
import { CommitQueue } from './postgres-commit-queue.ts';

const request = (n: number, writes = 1): CommitRequest => ({
  replica: `replica-${n}`,
  writes: Array.from({ length: writes }, (_, i) => ({
    collection: 'user' as const,
    document: userDoc(n * 10_000 + i),
    expect: { kind: 'none' as const },
  })),
  mode: 'each',
  options: {},
});
const written = (r: CommitRequest): CommitOutcome => ({ result: { ok: true, seq: 1, changed: true, conflicts: [] }, changed: [r.replica] });

/** A queue whose groups are recorded (by replica name) and answered by `answer`. */
function recordingQueue(answer: (group: readonly CommitRequest[]) => CommitOutcome[] = (group) => group.map(written)) {
  const groups: string[][] = [];
  const queue = new CommitQueue(async (group) => {
    groups.push(group.map((r) => r.replica));
    return answer(group);
  });
  return { queue, groups };
}

describe('CommitQueue', () => {
  it('writes the commits asked for in one turn as one group, and those asked for while it is written as the next', async () => {
    let release = () => {};
    const written1 = new Promise<void>((resolve) => (release = resolve));
    const groups: string[][] = [];
    const queue = new CommitQueue(async (group) => {
      groups.push(group.map((r) => r.replica));
      if (groups.length === 1) await written1;
      return group.map(written);
    });
    const first = [queue.commit(request(1)), queue.commit(request(2))];
    await Promise.resolve();
    first.push(queue.commit(request(3)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(groups).toEqual([['replica-1', 'replica-2', 'replica-3']]);
    const second = [queue.commit(request(4)), queue.commit(request(5))];
    release();
    await Promise.all([...first, ...second]);
    expect(groups).toEqual([
      ['replica-1', 'replica-2', 'replica-3'],
      ['replica-4', 'replica-5'],
    ]);
  });

  it('keeps a group to 2,000 writes, and writes a larger commit alone', async () => {
    const { queue, groups } = recordingQueue();
    await Promise.all([
      queue.commit(request(1, 1_500)),
      queue.commit(request(2, 600)),
      queue.commit(request(3, 2_500)),
      queue.commit(request(4, 1)),
    ]);
    expect(groups).toEqual([['replica-1'], ['replica-2'], ['replica-3'], ['replica-4']]);
    await Promise.all([queue.commit(request(5, 1_000)), queue.commit(request(6, 1_000)), queue.commit(request(7, 1))]);
    expect(groups.slice(4)).toEqual([['replica-5', 'replica-6'], ['replica-7']]);
  });

  it('tries a group that failed before its COMMIT again commit by commit, so only the failing one fails', async () => {
    const { queue, groups } = recordingQueue((group) => {
      if (group.some((r) => r.replica === 'replica-2')) throw new Error('refused by the database');
      return group.map(written);
    });
    const results = await Promise.allSettled([queue.commit(request(1)), queue.commit(request(2)), queue.commit(request(3))]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(groups).toEqual([['replica-1', 'replica-2', 'replica-3'], ['replica-1'], ['replica-2'], ['replica-3']]);
  });

  it('never tries again a group whose COMMIT failed: it may have been written', async () => {
    const { queue, groups } = recordingQueue(() => {
      throw new CommitUnknown(new Error('connection lost'));
    });
    const results = await Promise.allSettled([queue.commit(request(1)), queue.commit(request(2))]);
    expect(results.map((result) => result.status === 'rejected' && result.reason instanceof CommitUnknown)).toEqual([true, true]);
    expect(groups).toEqual([['replica-1', 'replica-2']]);
  });

  it('fails every commit of a group the database could not answer at once, rather than waiting out its timeout once per commit', async () => {
    const { queue, groups } = recordingQueue(() => {
      throw new PouroverError('UNAVAILABLE', 'the database is not answering; try again shortly');
    });
    const results = await Promise.allSettled([queue.commit(request(1)), queue.commit(request(2)), queue.commit(request(3))]);
    expect(results.map((result) => result.status === 'rejected' && (result.reason as PouroverError).code)).toEqual([
      'UNAVAILABLE',
      'UNAVAILABLE',
      'UNAVAILABLE',
    ]);
    expect(groups).toEqual([['replica-1', 'replica-2', 'replica-3']]);
  });

  it('is idle only once every commit asked for is answered', async () => {
    const { queue } = recordingQueue();
    let answered = 0;
    for (const n of [1, 2, 3]) void queue.commit(request(n)).then(() => (answered += 1));
    await queue.idle();
    expect(answered).toBe(3);
  });
});
