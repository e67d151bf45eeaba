import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireDocument } from '@pourover/protocol';
import { editDraftWithFields, emptyDraftUpdate, schemaVersions } from '@pourover/schemas';
import { startServer, type RunningServer } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { createRxDatabase } from 'rxdb/plugins/core';
import { createRevision } from 'rxdb/plugins/utils';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schemasV0 from './e2e/fixtures/releases/schemas-v0.json' with { type: 'json' };
import schemasV1 from './e2e/fixtures/releases/schemas-v1.json' with { type: 'json' };
import schemasV2 from './e2e/fixtures/releases/schemas-v2.json' with { type: 'json' };
import { createSyncClient } from '@pourover/sync-client';
import { openReplica } from '@pourover/replica';
import { pouroverApp } from '@pourover/sync-server/pourover-app';
import { pouroverDeviceApp } from '@pourover/orders';

const DEMO = 'c0ffee00-0000-4000-8000-000000000001';
const REPLICA = `bluebottle:users:${DEMO}`;

function draft(note: string): WireDocument {
  const { ydoc, ...fields } = editDraftWithFields(emptyDraftUpdate(), [{ kind: 'setNote', note }], () => undefined);
  return { id: crypto.randomUUID(), status: 'draft', ydoc, ...fields, createdTime: new Date().toISOString(), _deleted: false };
}

/** A document as an older app stored what the server sent it: its sync state in `_meta.pourover`. */
function synced(document: WireDocument, token: string) {
  const rev = createRevision(token);
  return { ...document, _meta: { lwt: Date.now(), pourover: { rev, base: document } }, _rev: rev, _attachments: {} };
}

/** Each past release's stored schemas (`test/e2e/fixtures/releases`, the same the Chromium corpus opens). */
const RELEASES: [number, Record<string, unknown>][] = [
  [0, schemasV0],
  [1, schemasV1],
  [2, schemasV2],
];

describe.each(RELEASES)('a shopper’s device database made under release %i’s schemas, in fake-indexeddb', (release, schemas) => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-migration-'));
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ app: pouroverApp, dataDir: dir, seed: true });
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
    const [kept, edited] = [draft('synced, never edited'), draft('synced, then edited offline')];
    await client.sync.push.mutate({
      collection: 'draftOrders',
      rows: [kept, edited].map((document) => ({ assumedMasterState: null, newDocumentState: document })),
    });
    const onServer = await server.store.getMany(REPLICA, 'draftOrders', [kept.id, edited.id]);
    const profile = await server.store.get(REPLICA, 'user', DEMO);
    if (!onServer[0] || !onServer[1] || !profile) throw new Error('the server lacks what the device synced');

    const old = await createRxDatabase({
      name: `release-${release}-device`,
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
      multiInstance: false,
    });
    await old.addCollections(Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, { schema }])) as never);
    const drafts = old.collections['draftOrders'];
    if (!drafts) throw new Error('no draftOrders collection');
    await drafts.storageInstance.bulkWrite(
      [onServer[0], onServer[1]].map((stored) => ({ document: synced(stored.document, old.token) })),
      'test',
    );
    await old.collections['user']?.storageInstance.bulkWrite([{ document: synced(profile.document, old.token) }], 'test');
    const offlineNote = 'changed while offline, before the upgrade';
    await (
      await drafts.findOne(edited.id).exec()
    )?.incrementalModify((data: Record<string, unknown>) => ({
      ...data,
      ...editDraftWithFields(String(data['ydoc']), [{ kind: 'setNote', note: offlineNote }], () => undefined),
    }));
    const { _deleted, ...madeOffline } = draft('made offline, before the upgrade');
    await drafts.insert(madeOffline);
    const seqsBefore = await server.store.seqs(REPLICA, 'draftOrders', [kept.id, edited.id]);
    await old.close();

    const replica = await openReplica({
      app: pouroverDeviceApp,
      url: server.url,
      blessing: token,
      name: `release-${release}-device`,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 100,
    });
    try {
      expect(replica.collections.draftOrders.schema.version).toBe(schemaVersions.draftOrders);
      await replica.awaitInSync();
      const after = await server.store.getMany(REPLICA, 'draftOrders', [kept.id, edited.id, madeOffline.id]);
      expect(after[1]?.document['note']).toBe(offlineNote);
      expect(after[2]?.document['note']).toBe('made offline, before the upgrade');
      expect(after[0]?.seq, 'the draft it had synced and never changed is not pushed again').toBe(seqsBefore[0]);
      expect((await replica.collections.draftOrders.find().exec()).map((doc) => doc.get('note')).sort()).toEqual(
        ['synced, never edited', offlineNote, 'made offline, before the upgrade'].sort(),
      );
    } finally {
      await replica.close();
    }
  });
});
