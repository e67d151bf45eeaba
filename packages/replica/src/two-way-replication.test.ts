import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryServer } from '../test/memory-server.ts';
import { NOTES, openMemoryDevice, type MemoryDevice, type Note } from '../test/memory-device.ts';

const open: MemoryDevice[] = [];
let names = 0;

/** A device of its own (a fresh IndexedDB name each), closed after the test. */
async function device(server: MemoryServer, name = `device-${++names}-${crypto.randomUUID()}`, retryMs?: number) {
  const opened = await openMemoryDevice(server, name, retryMs);
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
