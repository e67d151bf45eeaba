import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { rxSchemaFor } from '@pourover/schemas';
import { startServer, type RunningServer } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { createRxDatabase } from 'rxdb/plugins/core';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncClient } from '@pourover/sync-client';
import { openReplica } from './index.ts';
import { storedState } from './stored-states.ts';
import { NOTES_REPLICA as REPLICA, NOTES_USER_ID as DEMO, noteDoc, notesCollections, notesApp } from '@pourover/sync-server/notes-app';
import { notesDeviceApp, notesSchemaV0 } from '../test/notes-app.ts';

/** A version-0 note: no `done`. */
const note = (text: string): WireDocument => ({ id: crypto.randomUUID(), text, _deleted: false });

/** The collections as the version-0 app made them: the notes before `done`, the others as now. */
const schemasV0 = {
  profiles: rxSchemaFor(notesCollections.profiles, 0),
  notes: notesSchemaV0,
  tasks: rxSchemaFor(notesCollections.tasks, 0),
  items: rxSchemaFor(notesCollections.items, 0),
};

/** A document as the version-0 app stored what the server sent it: its sync state in `_meta.pourover`. */
const synced = (document: WireDocument, token: string) =>
  storedState(document, undefined, token, (rev) => ({ pourover: { rev, base: document } }));

describe('a device database made under schema version 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-migration-'));
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ app: notesApp, dataDir: dir, seed: true });
    const answer = await fetch(`${server.url}/trpc/auth.devSignIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"device":"old-phone"}',
    });
    token = ((await answer.json()) as { result: { data: { token: string } } }).result.data.token;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is migrated when the app opens it: its unsent writes reach the server, and what it had synced is not pushed again', async () => {
    const client = createSyncClient({ url: server.url, token: () => token });
    const [kept, edited] = [note('synced, never edited'), note('synced, then edited offline')];
    await client.sync.push.mutate({
      collection: 'notes',
      rows: [kept, edited].map((document) => ({ assumedMasterState: null, newDocumentState: document })),
    });
    const onServer = await server.store.getMany(REPLICA, 'notes', [kept.id, edited.id]);
    const profile = await server.store.get(REPLICA, 'profiles', DEMO);
    if (!onServer[0] || !onServer[1] || !profile) throw new Error('the server lacks what the device synced');

    const old = await createRxDatabase({ name: 'v0-device', storage: getRxStorageDexie({ indexedDB, IDBKeyRange }), multiInstance: false });
    await old.addCollections(Object.fromEntries(Object.entries(schemasV0).map(([name, schema]) => [name, { schema }])) as never);
    const notes = old.collections['notes'];
    if (!notes) throw new Error('no notes collection');
    await notes.storageInstance.bulkWrite(
      [onServer[0], onServer[1]].map((stored) => ({ document: synced(stored.document, old.token) })),
      'test',
    );
    await old.collections['profiles']?.storageInstance.bulkWrite([{ document: synced(profile.document, old.token) }], 'test');
    const offlineNote = 'changed while offline, before the upgrade';
    await (await notes.findOne(edited.id).exec())?.incrementalModify((data: Record<string, unknown>) => ({ ...data, text: offlineNote }));
    const { _deleted, ...madeOffline } = note('made offline, before the upgrade');
    await notes.insert(madeOffline);
    const seqsBefore = await server.store.seqs(REPLICA, 'notes', [kept.id, edited.id]);
    await old.close();

    const replica = await openReplica({
      app: notesDeviceApp,
      url: server.url,
      blessing: token,
      name: 'v0-device',
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 100,
    });
    try {
      expect(replica.collections.notes.schema.version).toBe(1);
      await replica.awaitInSync();
      const after = await server.store.getMany(REPLICA, 'notes', [kept.id, edited.id, madeOffline.id]);
      expect(after[1]?.document['text']).toBe(offlineNote);
      expect(after[2]?.document['text']).toBe('made offline, before the upgrade');
      expect(after[0]?.seq, 'the note it had synced and never changed is not pushed again').toBe(seqsBefore[0]);
      expect((await replica.collections.notes.find().exec()).map((doc) => doc.get('text')).sort()).toEqual(
        // The demo user's first note, seeded, besides the three.
        [noteDoc(0xd000)['text'], 'synced, never edited', offlineNote, 'made offline, before the upgrade'].sort(),
      );
    } finally {
      await replica.close();
    }
  });
});
