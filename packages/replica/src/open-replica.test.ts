import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerKey, signBlessing, startServer, type RunningServer } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { Checkpoint, PushRow } from '@pourover/protocol';
import { rxSchemaFor, STORE } from '@pourover/schemas';
import { createRxDatabase } from 'rxdb/plugins/core';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { firstValueFrom, filter, timeout, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncClient } from '@pourover/sync-client';
import { openReplica, type SyncStatus } from './index.ts';
import { PULL_CONTEXT } from './pull-replication.ts';
import { ReadOnlyCollectionError } from './read-only.ts';
import { NOTES_REPLICA as REPLICA, NOTES_USER_ID as DEMO, notesCollections, notesApp } from '@pourover/sync-server/notes-app';
import { startAnswerLosingProxy } from '../test/answer-losing-proxy.ts';
import { newNote, notesDeviceApp } from '../test/notes-app.ts';

async function signIn(url: string, device: string): Promise<string> {
  const response = await fetch(`${url}/trpc/auth.devSignIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ device }),
  });
  return ((await response.json()) as { result: { data: { token: string } } }).result.data.token;
}

describe('a replica', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-replica-'));
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ app: notesApp, dataDir: dir, seed: true });
    token = await signIn(server.url, 'phone');
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (name: string, url = server.url, requestTimeoutMs?: number) =>
    openReplica({
      ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
      app: notesDeviceApp,
      url,
      blessing: token,
      name,
      indexedDB: { indexedDB, IDBKeyRange },
      EventSource,
      multiInstance: false,
      retryMs: 100,
    });

  it('reports offline with the count of unsent changes, then idle once they are sent', async () => {
    const port = server.port;
    const replica = await open('status', server.url);
    const statuses: SyncStatus[] = [];
    const subscription = replica.status$.subscribe((status) => statuses.push(status));
    await firstValueFrom(replica.status$.pipe(filter((s) => s.state === 'idle')));

    await server.close();
    await firstValueFrom(replica.status$.pipe(filter((s) => s.state === 'offline' || s.state === 'connecting')));
    const profile = await replica.collections.profiles.findOne(DEMO).exec();
    await profile?.incrementalPatch({ name: 'Offline Ada' });
    await firstValueFrom(replica.status$.pipe(filter((s) => s.unsent === 1 && s.state !== 'idle')));

    server = await startServer({ app: notesApp, dataDir: dir, seed: true, port });
    const idle = await firstValueFrom(replica.status$.pipe(filter((s) => s.state === 'idle' && s.unsent === 0)));
    expect(idle.unsent).toBe(0);
    expect((await server.store.get(REPLICA, 'profiles', DEMO))?.document['name']).toBe('Offline Ada');
    expect(statuses.some((s) => s.lastError !== null)).toBe(true);
    subscription.unsubscribe();
    await replica.close();
  });

  it('refuses writes from the app to a collection the device only reads, and changes nothing', async () => {
    const replica = await open('read-only');
    await firstValueFrom(replica.status$.pipe(filter((s) => s.state === 'idle')));
    const item = await replica.collections.items.findOne().exec();
    if (!item) throw new Error('the seeded items did not sync');
    const before = item.toJSON();
    await expect(item.incrementalPatch({ name: 'Renamed by a user' })).rejects.toBeInstanceOf(ReadOnlyCollectionError);
    await expect(item.remove()).rejects.toBeInstanceOf(ReadOnlyCollectionError);
    await expect(replica.collections.items.insert({ ...before, id: crypto.randomUUID() })).rejects.toBeInstanceOf(ReadOnlyCollectionError);
    await expect(replica.collections.tasks.bulkUpsert([])).resolves.toEqual({ success: [], error: [] });
    expect((await replica.collections.items.findOne(item.primary).exec())?.toJSON()).toEqual(before);
    const onServer = (await server.store.pull(STORE, 'items', 0, 1000)).filter((stored) => !stored.document._deleted);
    expect(await replica.collections.items.count().exec()).toBe(onServer.length);
    expect((await firstValueFrom(replica.status$)).unsent).toBe(0);
    await replica.close();
  });

  it('reopened, pulls only what the store changed meanwhile in a collection it only reads, over what it held', async () => {
    const before = await open('resume');
    await before.awaitInSync();
    const held = (await before.collections.items.find().exec()).map((doc) => doc.toJSON() as Record<string, unknown> & { id: string });
    await before.close();
    const renamed = held[0];
    if (!renamed) throw new Error('the seeded items did not sync');
    const added = { ...renamed, id: crypto.randomUUID(), name: 'Added by the store' };
    const store = createSyncClient({
      url: server.url,
      token: () => signBlessing(loadServerKey(join(dir, 'server-key.pem')), { name: STORE, ttlSeconds: 600 }),
    });
    await store.sync.push.mutate({
      collection: 'items',
      rows: [
        {
          assumedMasterState: { ...renamed, _deleted: false },
          newDocumentState: { ...renamed, name: 'Renamed by the store', _deleted: false },
        },
        { assumedMasterState: null, newDocumentState: { ...added, _deleted: false } },
      ],
    });

    const after = await open('resume');
    // Its first pull is still on the network: every state it pulls goes through the storage's bulkWrite.
    const storage = after.collections.items.storageInstance.originalStorageInstance;
    const write = storage.bulkWrite.bind(storage);
    const written = new Set<string>();
    storage.bulkWrite = (rows, context) => {
      for (const row of rows) written.add(String(row.document['id']));
      return write(rows, context);
    };
    const received: string[] = [];
    after.replicationOf('items').received$.subscribe((doc) => received.push(String(doc['id'])));
    await after.awaitInSync();
    expect([...written].sort()).toEqual([renamed.id, added.id].sort());
    expect(received.sort()).toEqual([renamed.id, added.id].sort());
    expect((await after.collections.items.findOne(renamed.id).exec())?.get('name')).toBe('Renamed by the store');
    expect(await after.collections.items.count().exec()).toBe(held.length + 1);
    await after.close();
  });

  it('opened while its server is down, keeps trying, and pulls what it only reads once the server is back', async () => {
    const port = server.port;
    await server.close();
    const replica = await open('late-server');
    const errors: unknown[] = [];
    replica.replicationOf('items').error$.subscribe((error) => errors.push(error));
    await firstValueFrom(replica.replicationOf('items').error$);
    server = await startServer({ app: notesApp, dataDir: dir, seed: true, port });
    await replica.awaitInSync();
    const onServer = (await server.store.pull(STORE, 'items', 0, 1000)).filter((stored) => !stored.document._deleted);
    expect(onServer.length).toBeGreaterThan(0);
    expect(await replica.collections.items.count().exec()).toBe(onServer.length);
    expect(errors.length).toBeGreaterThan(0);
    await replica.close();
  });

  it('keeps edits of different fields made on two devices offline, and counts the conflict as sent', async () => {
    const port = server.port;
    const phone = await open('lww-phone');
    const laptop = await open('lww-laptop');
    await Promise.all([phone.awaitInSync(), laptop.awaitInSync()]);
    await server.close();
    await (await phone.collections.profiles.findOne(DEMO).exec())?.incrementalPatch({ name: 'Ada on the phone' });
    await (await laptop.collections.profiles.findOne(DEMO).exec())?.incrementalPatch({ email: 'ada@laptop.example' });
    server = await startServer({ app: notesApp, dataDir: dir, seed: true, port });
    const idle = (replica: typeof phone) => firstValueFrom(replica.status$.pipe(filter((s) => s.state === 'idle' && s.unsent === 0)));
    await Promise.all([idle(phone), idle(laptop)]);
    await Promise.all([phone.awaitInSync(), laptop.awaitInSync()]);
    const onServer = (await server.store.get(REPLICA, 'profiles', DEMO))?.document;
    expect(onServer).toMatchObject({ name: 'Ada on the phone', email: 'ada@laptop.example' });
    for (const device of [phone, laptop]) {
      await firstValueFrom(
        device.collections.profiles
          .findOne(DEMO)
          .$.pipe(filter((doc) => doc?.get('email') === 'ada@laptop.example' && doc.get('name') === 'Ada on the phone')),
      );
    }
    await Promise.all([phone.close(), laptop.close()]);
  });

  /** Waits, 15 s at most, until the replica is idle with nothing unsent. */
  const allSent = (replica: { status$: Observable<SyncStatus> }) =>
    firstValueFrom(
      replica.status$.pipe(
        filter((s) => s.state === 'idle' && s.unsent === 0),
        timeout(15_000),
      ),
    );

  it('gives up on a push whose answer was lost on an open connection, and takes the changes that came meanwhile', async () => {
    const proxy = await startAnswerLosingProxy(server.url);
    const phone = await open('lost-answer-phone', proxy.url, 1_000);
    const laptop = await open('lost-answer-laptop');
    try {
      await Promise.all([phone.awaitInSync(), laptop.awaitInSync()]);
      const errors: string[] = [];
      phone.replicationOf('notes').error$.subscribe((error) => errors.push(String(error)));
      const taken = proxy.loseNextPushAnswer();
      const mine = newNote('the phone’s');
      await phone.collections.notes.insert(mine);
      await taken;
      const theirs = newNote('the laptop’s');
      await laptop.collections.notes.insert(theirs);
      // Until the phone gives up on its push, the notes streamed to it wait for the push's answer.
      await firstValueFrom(
        phone.collections.notes.findOne(theirs.id).$.pipe(
          filter((doc) => doc !== null),
          timeout(15_000),
        ),
      );
      await allSent(phone);
      expect(errors.some((error) => error.includes('Pushing notes: the server did not answer within 1 s'))).toBe(true);
      expect((await server.store.get(REPLICA, 'notes', mine.id))?.document).toMatchObject({ text: 'the phone’s' });
      expect((await phone.collections.notes.findOne(mine.id).exec())?.get('text')).toBe('the phone’s');
    } finally {
      await Promise.all([phone.close(), laptop.close()]);
      await proxy.close();
    }
  });

  it('gets a push through a link slower than its time limit, which doubles after each time out', async () => {
    const proxy = await startAnswerLosingProxy(server.url);
    const phone = await open('slow-link-phone', proxy.url, 1_000);
    try {
      await phone.awaitInSync();
      const errors: string[] = [];
      phone.replicationOf('notes').error$.subscribe((error) => errors.push(String(error)));
      proxy.slowPushAnswers(1_500);
      const mine = newNote('sent over a slow link');
      await phone.collections.notes.insert(mine);
      await allSent(phone);
      // With a fixed limit of 1 s every try would time out: the push got through on a doubled one.
      expect(errors.some((error) => error.includes('Pushing notes: the server did not answer within 1 s; trying again'))).toBe(true);
      expect((await server.store.get(REPLICA, 'notes', mine.id))?.document).toMatchObject({ text: 'sent over a slow link' });
    } finally {
      await phone.close();
      await proxy.close();
    }
  });

  it('does not write again the notes it pushed when the live stream brings them back', async () => {
    const phone = await open('echoes-phone');
    const laptop = await open('echoes-laptop');
    await Promise.all([phone.awaitInSync(), laptop.awaitInSync()]);
    const storage = phone.collections.notes.storageInstance.originalStorageInstance;
    const write = storage.bulkWrite.bind(storage);
    const pulled: string[] = [];
    storage.bulkWrite = (rows, context) => {
      if (context === PULL_CONTEXT) pulled.push(...rows.map((row) => String(row.document['id'])));
      return write(rows, context);
    };
    const mine = Array.from({ length: 5 }, () => newNote());
    await phone.collections.notes.bulkInsert(mine);
    // The laptop's note comes after the phone's on the live stream: once it is on the phone, so are the echoes.
    const theirs = newNote('the laptop’s');
    await laptop.collections.notes.insert(theirs);
    await firstValueFrom(phone.collections.notes.findOne(theirs.id).$.pipe(filter((doc) => doc !== null)));
    await phone.awaitInSync();
    expect(pulled.filter((id) => mine.some((doc) => doc.id === id))).toEqual([]);
    expect(pulled).toContain(theirs.id);
    await Promise.all([phone.close(), laptop.close()]);
  });

  it('records in each document what the server took of it, so that a reopened device pushes none of it again', async () => {
    const phone = await open('recorded');
    await phone.awaitInSync();
    const mine = Array.from({ length: 3 }, () => newNote());
    await phone.collections.notes.bulkInsert(mine);
    await (await phone.collections.profiles.findOne(DEMO).exec())?.incrementalPatch({ address: '1 Recorded Street' });
    await phone.awaitInSync();
    await phone.close();

    // Every push is answered with where its documents now stand, read from the store's `seqs`.
    const seqs = server.store.seqs.bind(server.store);
    const pushed: string[] = [];
    server.store.seqs = (replica, collection, ids) => {
      pushed.push(...ids.map((id) => `${collection}/${id}`));
      return seqs(replica, collection, ids);
    };
    try {
      const reopened = await open('recorded');
      await reopened.awaitInSync();
      expect((await firstValueFrom(reopened.status$)).unsent).toBe(0);
      await reopened.close();
    } finally {
      server.store.seqs = seqs;
    }
    expect(pushed).toEqual([]);
  });

  it('pushes an edit made while the state before it is on its way, after that state, over it', async () => {
    const phone = await open('edit-in-flight');
    await phone.awaitInSync();
    const profile = await phone.collections.profiles.findOne(DEMO).exec();
    if (!profile) throw new Error('the profile did not sync');
    const first = profile.incrementalPatch({ name: 'Ada, first' });
    const second = profile.incrementalPatch({ name: 'Ada, second' });
    await Promise.all([first, second]);
    await phone.awaitInSync();
    expect((await server.store.get(REPLICA, 'profiles', DEMO))?.document['name']).toBe('Ada, second');
    expect((await phone.collections.profiles.findOne(DEMO).exec())?.get('name')).toBe('Ada, second');
    expect((await firstValueFrom(phone.status$)).unsent).toBe(0);
    await phone.close();
  });

  it('pushes a burst of edits to one document four times at once, then once every 50 ms, the last edit included', async () => {
    await using phone = await open('burst');
    await phone.awaitInSync();
    let profile = await phone.collections.profiles.findOne(DEMO).exec();
    if (!profile) throw new Error('the profile did not sync');
    const seqs = server.store.seqs.bind(server.store);
    const pushedAt: number[] = [];
    server.store.seqs = (replica, collection, ids) => {
      if (collection === 'profiles') pushedAt.push(performance.now());
      return seqs(replica, collection, ids);
    };
    let edits = 0;
    try {
      // Edits for 300 ms (without spacing, one push per round trip: a few ms here), and on while fewer than eight pushes
      // came, for a loaded machine, for at most 10 s.
      const start = performance.now();
      const editing = () => {
        const elapsed = performance.now() - start;
        return elapsed < 300 || (pushedAt.length < 8 && elapsed < 10_000);
      };
      while (editing()) profile = await profile.incrementalPatch({ name: `Ada ${++edits}` });
      await phone.awaitInSync();
    } finally {
      server.store.seqs = seqs;
    }
    expect((await server.store.get(REPLICA, 'profiles', DEMO))?.document['name']).toBe(`Ada ${edits}`);
    expect(pushedAt.length).toBeGreaterThan(4);
    // Four at once and one more every 50 ms; one more for jitter where the server takes them.
    const spanned = (pushedAt.at(-1) ?? 0) - (pushedAt[0] ?? 0);
    expect(pushedAt.length).toBeLessThanOrEqual(4 + Math.ceil(spanned / 50) + 1);
  });

  it('stores its pull checkpoint at most once a second while live changes come, and the latest one when closed', async () => {
    await using phone = await open('checkpoint-phone');
    const laptop = await open('checkpoint-laptop');
    await Promise.all([phone.awaitInSync(), laptop.awaitInSync()]);
    let stores = 0;
    const watching = laptop.db.getLocal$('pull-checkpoint-profiles').subscribe(() => (stores += 1));
    const before = stores;
    // Edits far enough apart that each is pushed, and comes to the laptop as a live change of its own.
    const started = performance.now();
    for (let edit = 1; edit <= 8; edit += 1) {
      await (await phone.collections.profiles.findOne(DEMO).exec())?.incrementalPatch({ name: `Ada ${edit}` });
      await phone.awaitInSync();
      await firstValueFrom(laptop.collections.profiles.findOne(DEMO).$.pipe(filter((doc) => doc?.get('name') === `Ada ${edit}`)));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const span = performance.now() - started;
    watching.unsubscribe();
    expect(stores - before).toBeLessThanOrEqual(Math.ceil(span / 1_000) + 1);
    await laptop.close();

    const stored = await createRxDatabase({
      name: 'checkpoint-laptop',
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
      multiInstance: false,
      localDocuments: true,
    });
    const checkpoint = (await stored.getLocal<Checkpoint>('pull-checkpoint-profiles'))?.toJSON().data ?? null;
    await stored.close();
    const client = createSyncClient({ url: server.url, token: () => token });
    expect((await client.sync.pull.query({ collection: 'profiles', checkpoint, limit: 10 })).documents).toEqual([]);
  });

  it("upgraded from RxDB's replication, pushes over the server's state RxDB kept, so the fields it did not change take what other devices wrote", async () => {
    // One process holds at most 13 RxDB collections: the phone closes before the laptop opens, and the old laptop held profiles only.
    const phone = await open('upgrade-phone');
    await phone.awaitInSync();
    await (await phone.collections.profiles.findOne(DEMO).exec())?.incrementalPatch({ name: 'Ada before', email: 'ada@before.example' });
    await phone.awaitInSync();

    // The laptop as it synced before: through RxDB's replication, which kept the server's states in a meta storage.
    const old = await createRxDatabase({
      name: 'upgrade-laptop',
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
      multiInstance: false,
    });
    await old.addCollections({ profiles: { schema: rxSchemaFor(notesCollections.profiles, 0) } } as never);
    const client = createSyncClient({ url: server.url, token: () => token });
    const replication = replicateRxCollection<Record<string, unknown>, unknown>({
      collection: old.collections['profiles']!,
      replicationIdentifier: 'pourover-profiles',
      live: false,
      waitForLeadership: false,
      pull: {
        handler: (checkpoint, limit) =>
          client.sync.pull.query({ collection: 'profiles', checkpoint: (checkpoint as Checkpoint | undefined) ?? null, limit }) as never,
      },
      push: {
        handler: async (rows) => {
          const wire = rows.map((row) => ({
            assumedMasterState: row.assumedMasterState ?? null,
            newDocumentState: row.newDocumentState,
          })) as PushRow[];
          return (await client.sync.push.mutate({ collection: 'profiles', rows: wire })).conflicts as never;
        },
      },
    });
    await replication.awaitInitialReplication();
    await replication.cancel();
    // Offline, the laptop changes the email; the phone then changes the name.
    await (await old.collections['profiles']!.findOne(DEMO).exec())?.incrementalPatch({ email: 'ada@laptop.example' });
    await old.close();
    await (await phone.collections.profiles.findOne(DEMO).exec())?.incrementalPatch({ name: 'Ada on the phone' });
    await phone.awaitInSync();
    await phone.close();
    const metaStorages = async () =>
      (await indexedDB.databases()).filter((database) => database.name?.startsWith('rxdb-dexie-upgrade-laptop--0--rx-replication-meta-'));
    expect(await metaStorages()).toHaveLength(1);

    const laptop = await open('upgrade-laptop');
    try {
      await laptop.awaitInSync();
      expect((await server.store.get(REPLICA, 'profiles', DEMO))?.document).toMatchObject({
        name: 'Ada on the phone',
        email: 'ada@laptop.example',
      });
      expect((await laptop.collections.profiles.findOne(DEMO).exec())?.toJSON()).toMatchObject({
        name: 'Ada on the phone',
        email: 'ada@laptop.example',
      });
    } finally {
      await laptop.close();
    }
    expect(await metaStorages()).toHaveLength(1);
    // Reopened, every document holds a sync state of its own: RxDB's meta storage goes.
    await using reopened = await open('upgrade-laptop');
    await reopened.awaitInSync();
    expect(await metaStorages()).toEqual([]);
  });

  it('leaves no timer or socket behind when closed', async () => {
    // Idle keep-alive sockets of Node's shared fetch pool close after 4 s (the server's after 5 s).
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5_500));
    const resources = () => process.getActiveResourcesInfo().sort();
    await settle();
    const before = resources();
    const replica = await open('leaks');
    await replica.awaitInSync();
    expect(resources().length).toBeGreaterThan(before.length);
    await replica.close();
    await settle();
    expect(resources()).toEqual(before);
  });
});
