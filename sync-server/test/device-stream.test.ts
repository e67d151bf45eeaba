import { join } from 'node:path';
import type { StreamEvent } from '@pourover/protocol';
import { principalOf, type Principal } from '@pourover/schemas';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { specOf } from '../src/app/server-app.ts';
import { noMetrics } from '../src/metrics/server-metrics.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { deviceStream } from '../src/sync/device-stream.ts';
import { NOTES_REPLICA, NOTES_USER_ID, noteDoc, notesApp } from '../testing/notes-app.ts';
import { tempDir } from './support/test-server.ts';

const folder = tempDir();
afterAll(() => folder.remove());
let files = 0;

const phone = principalOf(`bluebottle:users:${NOTES_USER_ID}:phone`) as Principal;

/** A device stream on a real SQLite store, counting the reads it makes of the store's change log. */
function openStream(file: string) {
  const store = new SqliteStore({ file });
  let reads = 0;
  const changesSince = store.changesSince.bind(store);
  store.changesSince = (replica, afterSeq, limit) => {
    reads += 1;
    return changesSince(replica, afterSeq, limit);
  };
  const abort = new AbortController();
  const events = deviceStream({
    app: notesApp,
    store,
    principal: phone,
    syncgroups: (_replica, collection) => ({ members: specOf(notesApp, collection).syncgroup, version: 0 }),
    guard: { check: async () => {}, onEnd: () => {}, release: () => {} },
    metrics: noMetrics,
    lastEventId: undefined,
    signal: abort.signal,
  });
  // Each event is tRPC's tracked envelope: [its position, the event, a marker].
  const next = async () => ((await events.next()).value as unknown as [string, StreamEvent])[1];
  return {
    store,
    next,
    reads: () => reads,
    close: async () => {
      abort.abort();
      await events.return(undefined);
      await store.close();
    },
  };
}

const addNote = (store: SqliteStore, n: number) =>
  store.commit(NOTES_REPLICA, [{ collection: 'notes', document: noteDoc(n), expect: { kind: 'none' } }], 'each');

describe('a device stream on SQLite', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('sends the commits it heard as they were written, without reading them back', async () => {
    const stream = openStream(join(folder.dir, `stream-${(files += 1)}.sqlite`));
    closing.push(stream.close);
    expect(await stream.next()).toMatchObject({ kind: 'ready' });
    const first = stream.next();
    await addNote(stream.store, 1);
    expect(await first).toMatchObject({ kind: 'changes', collection: 'notes', documents: [noteDoc(1)], seqs: [1] });
    const readsAfterFirst = stream.reads();

    // Two commits while the device is not reading: one event, in change order.
    await addNote(stream.store, 2);
    await addNote(stream.store, 3);
    expect(await stream.next()).toMatchObject({ documents: [noteDoc(2), noteDoc(3)], seqs: [2, 3], checkpoint: { seq: 3 } });
    expect(stream.reads()).toBe(readsAfterFirst);
  });

  it('reads the store when a commit it did not hear comes before one it did', async () => {
    const file = join(folder.dir, `stream-${(files += 1)}.sqlite`);
    const stream = openStream(file);
    closing.push(stream.close);
    expect(await stream.next()).toMatchObject({ kind: 'ready' });
    const first = stream.next();
    await addNote(stream.store, 1);
    await first;

    // Another connection's commit is not heard by this store's listeners; the next one heard follows it.
    const other = new SqliteStore({ file });
    await addNote(other, 2);
    await other.close();
    await addNote(stream.store, 3);
    expect(await stream.next()).toMatchObject({ documents: [noteDoc(2), noteDoc(3)], seqs: [2, 3] });
  });
});
