/**
 * For tests of a group commit that syncs its log off the event loop
 * (`@pourover/durable-sqlite/testing`): a disk whose syncs wait until the
 * test lets each end, ok or with an error, and a few turns of the event loop.
 */
type Done = (error: NodeJS.ErrnoException | null) => void;

/** A disk whose syncs wait until the test lets each end (`end`), ok or with an error; pass `syncCommitLog` to the store. */
export function heldDisk() {
  const waiting: Done[] = [];
  return {
    syncCommitLog: (_fd: number, done: Done) => void waiting.push(done),
    waiting: () => waiting.length,
    end: (error: NodeJS.ErrnoException | null = null) => waiting.shift()!(error),
  };
}

/** Lets the event loop turn a few times: long enough for anything not held back to have happened. */
export async function turns() {
  for (let turn = 0; turn < 5; turn += 1) await new Promise(setImmediate);
}
