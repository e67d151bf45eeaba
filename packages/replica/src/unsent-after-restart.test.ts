import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { createServer } from 'node:net';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { openReplica } from './index.ts';
import { newNote, notesDeviceApp } from '../test/notes-app.ts';

/** An address where nothing listens: a device that opens against it is offline. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('the count of unsent changes', () => {
  it('still counts, after the app is reopened offline, the writes made before it closed', async () => {
    const url = await deadUrl();
    const open = () =>
      openReplica({
        app: notesDeviceApp,
        url,
        blessing: 'offline',
        name: 'unsent-restart',
        indexedDB: { indexedDB, IDBKeyRange },
        EventSource,
        multiInstance: false,
        retryMs: 60_000,
      });
    const first = await open();
    await first.collections.notes.bulkInsert([newNote('one'), newNote('two')]);
    await firstValueFrom(first.status$.pipe(filter((status) => status.unsent === 2)));
    await first.close();

    const reopened = await open();
    const status = await firstValueFrom(
      reopened.status$.pipe(
        filter((s) => s.unsent > 0 && s.state === 'offline'),
        timeout(10_000),
      ),
    );
    expect(status.unsent).toBe(2);
    await reopened.close();
  });
});
