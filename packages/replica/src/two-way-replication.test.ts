import type { WireDocument } from '@pourover/protocol';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryServer } from '../test/memory-server.ts';
import { mergeTags, NOTES, openMemoryDevice, type MemoryDevice, type Note } from '../test/memory-device.ts';

const open: MemoryDevice[] = [];
let names = 0;

/** A device of its own (a fresh IndexedDB name each), closed after the test. */
async function device(
  server: MemoryServer,
  name = `device-${++names}-${crypto.randomUUID()}`,
  retryMs?: number,
  handler?: Parameters<typeof openMemoryDevice>[3],
) {
  const opened = await openMemoryDevice(server, name, retryMs, handler);
  open.push(opened);
  return opened;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((device) => device.close().catch(() => {})));
});

/** Resolves once the device's note shows `text`. */
const shows = (device: MemoryDevice, id: string, text: string) =>
  firstValueFrom(
    device.notes.findOne(id).$.pipe(
      filter((doc) => doc?.get('text') === text),
      timeout(5_000),
    ),
  );

const unsentIs = (device: MemoryDevice, count: number) =>
  firstValueFrom(
    device.unsent.count$.pipe(
      filter((n) => n === count),
      timeout(5_000),
    ),
  );

const note = (text: string, tags: string[] = []): Note => ({ id: crypto.randomUUID(), text, tags });
const writesOf = (server: MemoryServer, id: string) => server.writes.filter((write) => write.state.id === id);

describe('the replication of a collection the device writes, against a server in memory', () => {
  it('brings a note written on one device to another', async () => {
    const server = new MemoryServer();
    const [phone, laptop] = [await device(server), await device(server)];
    const written = note('oat milk');
    await phone.notes.insert(written);
    await shows(laptop, written.id, 'oat milk');
    await phone.replication.awaitInSync();
    expect(server.stateOf(NOTES, written.id)).toEqual({ ...written, _deleted: false });
    await unsentIs(phone, 0);
  });

  it('settles a conflict by the collection rule and pushes the merge: both devices keep both tags', async () => {
    const server = new MemoryServer();
    const phone = await device(server);
    const written = note('beans', ['decaf']);
    await phone.notes.insert(written);
    await phone.replication.awaitInSync();
    // Another device's write the phone has not heard of when it writes: the stream holds it back.
    server.holdStream = true;
    server.write(NOTES, { ...written, tags: ['decaf', 'whole'], _deleted: false });
    const doc = await phone.notes.findOne(written.id).exec(true);
    await doc.incrementalPatch({ text: 'beans, ground', tags: ['decaf', 'ground'] });
    await phone.replication.awaitInSync();
    server.holdStream = false;
    server.releaseHeld();

    expect(server.stateOf(NOTES, written.id)).toEqual({
      id: written.id,
      text: 'beans, ground',
      tags: ['decaf', 'ground', 'whole'],
      _deleted: false,
    });
    expect(await phone.note(written.id)).toEqual(server.stateOf(NOTES, written.id));
    const laptop = await device(server);
    await shows(laptop, written.id, 'beans, ground');
    expect(await laptop.note(written.id)).toEqual(server.stateOf(NOTES, written.id));
    await unsentIs(phone, 0);
  });

  it('pushes again a write whose answer was lost, and the server takes it once', async () => {
    const server = new MemoryServer();
    const phone = await device(server);
    const errors: unknown[] = [];
    phone.replication.error$.subscribe((error) => errors.push(error));
    const pushStates: string[] = [];
    phone.replication.state$.subscribe(({ push }) => pushStates.push(push));
    server.loseAnswers(1);
    const written = note('cups');
    await phone.notes.insert(written);
    await unsentIs(phone, 1);
    await phone.replication.awaitInSync();

    expect(errors).toHaveLength(1);
    expect(pushStates.slice(pushStates.indexOf('waiting-for-retry'))).toEqual(['waiting-for-retry', 'pushing', 'idle']);
    expect(writesOf(server, written.id)).toHaveLength(1);
    expect(server.stateOf(NOTES, written.id)).toEqual({ ...written, _deleted: false });
    await unsentIs(phone, 0);
  });

  it('never writes a stale echo of its own earlier push over a newer edit', async () => {
    const server = new MemoryServer();
    const phone = await device(server);
    const written = note('v1');
    server.holdStream = true;
    await phone.notes.insert(written);
    await phone.replication.awaitInSync();
    await (await phone.notes.findOne(written.id).exec(true)).incrementalPatch({ text: 'v2' });
    await phone.replication.awaitInSync();
    expect(writesOf(server, written.id).map((write) => write.state['text'])).toEqual(['v1', 'v2']);

    // The echo of v1 arrives after v2 was taken, then a change to another note shows the stream was read past it.
    const marker = note('marker');
    server.write(NOTES, { ...marker, _deleted: false });
    server.holdStream = false;
    server.releaseHeld([0, 2]);
    await shows(phone, marker.id, 'marker');
    await phone.replication.awaitInSync();
    expect((await phone.note(written.id))?.['text']).toBe('v2');
    expect(server.stateOf(NOTES, written.id)?.['text']).toBe('v2');
  });

  it('keeps a write unsent through a crash before its push, and pushes it once after the reopen', async () => {
    const server = new MemoryServer();
    const name = `crash-before-push-${crypto.randomUUID()}`;
    server.reachable = false;
    const phone = await openMemoryDevice(server, name);
    const written = note('filters');
    await phone.notes.insert(written);
    await unsentIs(phone, 1);
    await firstValueFrom(
      phone.replication.state$.pipe(filter(({ push, pull }) => push === 'waiting-for-retry' && pull === 'reconnecting')),
    );
    await phone.crash();
    server.reachable = true;

    const reopened = await device(server, name);
    await unsentIs(reopened, 1);
    await reopened.replication.awaitInSync();
    expect(writesOf(server, written.id)).toHaveLength(1);
    expect(server.stateOf(NOTES, written.id)).toEqual({ ...written, _deleted: false });
    await unsentIs(reopened, 0);
    expect(await firstValueFrom(reopened.replication.state$)).toEqual({ push: 'idle', pull: 'live' });
  });

  it('keeps a write unsent through a crash after the server took it but before the answer came, and the server takes it once', async () => {
    const server = new MemoryServer();
    const name = `crash-before-answer-${crypto.randomUUID()}`;
    server.loseAnswers(1);
    // A long retry: the device is killed while it waits to push again.
    const phone = await openMemoryDevice(server, name, 60_000);
    const failed = firstValueFrom(phone.replication.error$.pipe(timeout(5_000)));
    const written = note('grinder');
    await phone.notes.insert(written);
    await failed;
    expect(writesOf(server, written.id)).toHaveLength(1);
    await phone.crash();

    const reopened = await device(server, name);
    await unsentIs(reopened, 1);
    await reopened.replication.awaitInSync();
    await unsentIs(reopened, 0);
    expect(writesOf(server, written.id)).toHaveLength(1);
    expect(await reopened.note(written.id)).toEqual(server.stateOf(NOTES, written.id));
  });
});

/** Resolves once the server holds `text` for each note named. */
async function serverShows(server: MemoryServer, texts: Record<string, string>) {
  const deadline = Date.now() + 5_000;
  const holds = () => Object.entries(texts).every(([id, text]) => server.stateOf(NOTES, id)?.['text'] === text);
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`the server never held ${JSON.stringify(texts)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const edit = async (device: MemoryDevice, id: string, text: string) =>
  (await device.notes.findOne(id).exec(true)).incrementalPatch({ text });

describe('a restore of the server to an older backup, under a new epoch', () => {
  it('lands the unsent edit and pushes again the writes the server acknowledged after the backup; another device sees both', async () => {
    const server = new MemoryServer();
    const phone = await device(server);
    const [kept, acknowledged] = [note('kept v1', ['a']), note('acknowledged v1', ['a'])];
    await phone.notes.bulkInsert([kept, acknowledged]);
    await phone.replication.awaitInSync();
    const backup = server.snapshot();
    const epoch = server.epoch;

    // Taken by the server after the backup: one edit, one new note. Recorded in their documents (after a second's pause).
    await edit(phone, acknowledged.id, 'acknowledged v2');
    const created = note('created after the backup');
    await phone.notes.insert(created);
    await phone.replication.awaitInSync();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    // The server goes down; an edit waits unsent.
    server.reachable = false;
    await edit(phone, kept.id, 'kept v2, offline');
    await unsentIs(phone, 1);

    server.restore(backup);
    expect(server.epoch).not.toBe(epoch);
    expect(server.stateOf(NOTES, acknowledged.id)?.['text']).toBe('acknowledged v1');
    expect(server.stateOf(NOTES, created.id)).toBeUndefined();
    server.reachable = true;

    const landed = { [kept.id]: 'kept v2, offline', [acknowledged.id]: 'acknowledged v2', [created.id]: 'created after the backup' };
    await serverShows(server, landed);
    await unsentIs(phone, 0);
    await phone.replication.awaitInSync();
    for (const id of Object.keys(landed)) expect(await phone.note(id)).toEqual(server.stateOf(NOTES, id));
    const laptop = await device(server);
    await laptop.replication.awaitInSync();
    for (const id of Object.keys(landed)) expect(await laptop.note(id)).toEqual(server.stateOf(NOTES, id));
  });

  it('pushes again what a device closed through the restore holds, when it next opens', async () => {
    const server = new MemoryServer();
    const name = `closed-through-restore-${crypto.randomUUID()}`;
    const phone = await openMemoryDevice(server, name);
    const written = note('v1', ['a']);
    await phone.notes.insert(written);
    await phone.replication.awaitInSync();
    const backup = server.snapshot();
    await edit(phone, written.id, 'v2, acknowledged');
    await phone.replication.awaitInSync();
    await edit(phone, written.id, 'v3, acknowledged');
    await phone.replication.awaitInSync();
    await phone.close();

    server.restore(backup);
    // Another device writes to the restored server first: its tag is merged in, not lost.
    server.write(NOTES, { ...written, tags: ['a', 'b'], _deleted: false });
    const reopened = await device(server, name);
    await serverShows(server, { [written.id]: 'v3, acknowledged' });
    await reopened.replication.awaitInSync();
    await unsentIs(reopened, 0);
    expect(server.stateOf(NOTES, written.id)).toEqual({ ...written, text: 'v3, acknowledged', tags: ['a', 'b'], _deleted: false });
    expect(await reopened.note(written.id)).toEqual(server.stateOf(NOTES, written.id));
  });
});

/**
 * A phone whose conflict rule waits until the test lets it go, with a note the server and the phone hold as
 * `written`; then the laptop adds two tags and the phone, not yet told (the stream is held), adds one of them: its
 * push conflicts, and the merge is the server's state. Resolves once the phone's rule is merging.
 */
async function settlingPhone(server: MemoryServer) {
  let merging!: () => void;
  const merges = new Promise<void>((resolve) => (merging = resolve));
  let letMerge!: () => void;
  const mergeLet = new Promise<void>((resolve) => (letMerge = resolve));
  const phone = await device(server, undefined, undefined, {
    isEqual: mergeTags.isEqual,
    resolve: async (input, context) => {
      merging();
      await mergeLet;
      return mergeTags.resolve(input, context);
    },
  });
  const written = note('beans');
  await phone.notes.insert(written);
  await phone.replication.awaitInSync();
  server.holdStream = true;
  server.write(NOTES, { ...written, tags: ['decaf', 'whole'], _deleted: false });
  await (await phone.notes.findOne(written.id).exec(true)).incrementalPatch({ tags: ['decaf'] });
  await merges;
  return { phone, written, letMerge };
}

/** Waits until the phone's pull has judged what came before `marker` (it shows), or a second: the pull may wait for the merge. */
async function judged(phone: MemoryDevice, marker: Note) {
  const shown = shows(phone, marker.id, 'marker').catch(() => {});
  await Promise.race([shown, new Promise((resolve) => setTimeout(resolve, 1_000))]);
}

/** Resolves once the phone holds `latest`, as the server does, with nothing unsent. */
async function holdsLatest(server: MemoryServer, phone: MemoryDevice, latest: WireDocument) {
  await firstValueFrom(
    phone.notes.findOne(latest.id).$.pipe(
      filter((doc) => JSON.stringify(doc?.get('tags')) === JSON.stringify(latest['tags'])),
      timeout(5_000),
    ),
  );
  await phone.replication.awaitInSync();
  expect(server.stateOf(NOTES, latest.id)).toEqual(latest);
  expect(await phone.note(latest.id)).toEqual(latest);
  await unsentIs(phone, 0);
}

describe('a change that comes while a conflict whose merge is the server state is settled (it was dropped, and the device stale for good)', () => {
  it('takes it from the stream', async () => {
    const server = new MemoryServer();
    const { phone, written, letMerge } = await settlingPhone(server);
    // While the phone settles, a tablet adds a tag, and writes a marker note after it; the stream brings both.
    const latest = { ...written, tags: ['decaf', 'oat', 'whole'], _deleted: false };
    server.write(NOTES, latest);
    const marker = note('marker');
    server.write(NOTES, { ...marker, _deleted: false });
    server.holdStream = false;
    server.releaseHeld();
    await judged(phone, marker);
    letMerge();
    await holdsLatest(server, phone, latest);
  });

  it('takes it from a pull from the checkpoint (the stream reconnected)', async () => {
    const server = new MemoryServer();
    const { phone, written, letMerge } = await settlingPhone(server);
    const latest = { ...written, tags: ['decaf', 'oat', 'whole'], _deleted: false };
    server.write(NOTES, latest);
    const marker = note('marker');
    server.write(NOTES, { ...marker, _deleted: false });
    // The stream's changes are lost; it says `ready` again, as on a reconnect, and the phone pulls from its checkpoint.
    server.heldEvents.length = 0;
    server.heldEvents.push({ kind: 'ready', epoch: server.epoch });
    server.holdStream = false;
    server.releaseHeld();
    await judged(phone, marker);
    letMerge();
    await holdsLatest(server, phone, latest);
  });
});
