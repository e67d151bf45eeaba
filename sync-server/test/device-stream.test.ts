import { join } from 'node:path';
import { MAX_ROWS, type StreamEvent } from '@pourover/protocol';
import { principalOf, STORE, type Principal } from '@pourover/schemas';
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
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

const phone = principalOf(`bluebottle:users:${NOTES_USER_ID}:phone`) as Principal;

/** A device stream on a real SQLite store, counting the reads it makes of the store's change log. */
function openStream(file: string) {
  const store = new SqliteStore({ file });
  let reads = 0;
  // While set, the next read of the change log waits for it.
  let gate: Promise<void> | undefined;
  const changesSince = store.changesSince.bind(store);
  store.changesSince = async (replica, afterSeq, limit) => {
    reads += 1;
    const held = gate;
    gate = undefined;
    await held;
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
    /** Holds the next read of the change log until the returned function is called. */
    holdNextRead: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    close: async () => {
      abort.abort();
      await events.return(undefined);
      await store.close();
    },
  };
}

const addNote = (store: SqliteStore, n: number, fields: { text?: string } = {}) =>
  store.commit(NOTES_REPLICA, [{ collection: 'notes', document: noteDoc(n, fields), expect: { kind: 'none' } }], 'each');

/** A stream on a new file, closed after the test, that has sent its `ready`. */
async function readyStream() {
  const file = join(folder.dir, `stream-${(files += 1)}.sqlite`);
  const stream = openStream(file);
  closing.push(stream.close);
  expect(await stream.next()).toMatchObject({ kind: 'ready' });
  return { ...stream, file };
}

/** A ready stream that has sent one first change (note 1, seq 1), so it has read the store once. */
async function streamAfterFirstChange() {
  const stream = await readyStream();
  const first = stream.next();
  await addNote(stream.store, 1);
  expect(await first).toMatchObject({ seqs: [1] });
  return stream;
}

describe('a device stream on SQLite', () => {
  it('sends the commits it heard as they were written, without reading them back', async () => {
    const stream = await readyStream();
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

  it('sends a document written twice since its last read once, at its last version, as a read would', async () => {
    const stream = await streamAfterFirstChange();
    await addNote(stream.store, 2, { text: 'first' });
    await addNote(stream.store, 3);
    await addNote(stream.store, 2, { text: 'second' });
    const event = await stream.next();
    expect(event).toMatchObject({ documents: [noteDoc(3), noteDoc(2, { text: 'second' })], seqs: [3, 4], checkpoint: { seq: 4 } });
    const read = await stream.store.changesSince(NOTES_REPLICA, 1, 10);
    expect(read.map((row) => [row.document, row.seq])).toEqual([
      [noteDoc(3), 3],
      [noteDoc(2, { text: 'second' }), 4],
    ]);
  });

  it('sends nothing of a write its commit undid', async () => {
    const stream = await streamAfterFirstChange();
    const refused = await stream.store.commit(
      NOTES_REPLICA,
      [
        { collection: 'notes', document: noteDoc(5), expect: { kind: 'none' } },
        { collection: 'notes', document: noteDoc(1, { text: 'again' }), expect: { kind: 'absent' } },
      ],
      'all',
    );
    expect(refused).toMatchObject({ ok: false, reason: 'precondition' });
    await addNote(stream.store, 6);
    expect(await stream.next()).toMatchObject({ documents: [noteDoc(6)], seqs: [2] });
  });

  it('does not send again what a read it was making already sent', async () => {
    const stream = await readyStream();
    // The stream's first read waits; a commit lands meanwhile, so the read and what the stream heard both hold it.
    const release = stream.holdNextRead();
    const first = stream.next();
    await new Promise(setImmediate);
    await addNote(stream.store, 1);
    release();
    expect(await first).toMatchObject({ documents: [noteDoc(1)], seqs: [1] });
    const next = stream.next();
    await addNote(stream.store, 2);
    expect(await next).toMatchObject({ documents: [noteDoc(2)], seqs: [2] });
  });

  it('sends the commits of the store replica it heard without reading them back too', async () => {
    const stream = await streamAfterFirstChange();
    const reads = stream.reads();
    const item = { id: noteDoc(9).id, name: 'Kettle', image: 'a'.repeat(64), _deleted: false };
    await stream.store.commit(STORE, [{ collection: 'items', document: item, expect: { kind: 'none' } }], 'each');
    expect(await stream.next()).toMatchObject({ collection: 'items', documents: [item], seqs: [1] });
    expect(stream.reads()).toBe(reads);
  });

  it('reads the store for a commit too large to keep, and sends all of it', async () => {
    const stream = await streamAfterFirstChange();
    const notes = Array.from({ length: MAX_ROWS + 1 }, (_, n) => noteDoc(100 + n));
    await stream.store.commit(
      NOTES_REPLICA,
      notes.map((document) => ({ collection: 'notes', document, expect: { kind: 'none' } as const })),
      'each',
    );
    const sent: unknown[] = [];
    while (sent.length < notes.length) sent.push(...((await stream.next()) as { documents: unknown[] }).documents);
    expect(sent).toEqual(notes);
  });

  it('reads the store for a gap in the middle of what it heard', async () => {
    const stream = await streamAfterFirstChange();
    await addNote(stream.store, 2);
    const other = new SqliteStore({ file: stream.file });
    await addNote(other, 3);
    await other.close();
    await addNote(stream.store, 4);
    expect(await stream.next()).toMatchObject({ documents: [noteDoc(2), noteDoc(3), noteDoc(4)], seqs: [2, 3, 4] });
  });

  it('reads the store when a commit it did not hear comes before one it did', async () => {
    const stream = await readyStream();
    const first = stream.next();
    await addNote(stream.store, 1);
    await first;

    // Another connection's commit is not heard by this store's listeners; the next one heard follows it.
    const other = new SqliteStore({ file: stream.file });
    await addNote(other, 2);
    await other.close();
    await addNote(stream.store, 3);
    expect(await stream.next()).toMatchObject({ documents: [noteDoc(2), noteDoc(3)], seqs: [2, 3] });
  });
});
