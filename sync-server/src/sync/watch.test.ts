import type { WatchEvent } from '@pourover/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBlessing } from '../auth/blessing-token.ts';
import { shopperReplica, STORE } from '@pourover/schemas';
import { NOTES_REPLICA, taskDoc } from '../../testing/notes-app.ts';
import { startNotesServer, userToken, type NotesServer } from '../../test/support/notes-server.ts';
import { storeToken, trpcClient, uuid } from '../../test/support/test-server.ts';

const client = (server: NotesServer, token: string) => trpcClient(server.url, token);

/** Subscribes to a watch and collects its events until `stop()`. */
function watch(server: NotesServer, token: string, lastEventId?: string) {
  const events: WatchEvent[] = [];
  const subscription = client(server, token).sync.watch.subscribe(
    { collection: 'tasks', ...(lastEventId ? { lastEventId } : {}) },
    { onData: (envelope) => events.push(envelope.data as WatchEvent) },
  );
  return { events, stop: () => subscription.unsubscribe() };
}

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ids = (events: WatchEvent[]) =>
  events.flatMap((event) => (event.kind === 'initialized' ? [] : event.documents.map((doc) => `${doc.replica}/${doc.document.id}`)));

describe('watching tasks across replicas', () => {
  let server: NotesServer;
  const other = shopperReplica(uuid(0xff));

  beforeAll(async () => {
    server = await startNotesServer();
    await server.store.commit(NOTES_REPLICA, [{ collection: 'tasks', document: taskDoc(1), expect: { kind: 'none' } }], 'all');
    await server.store.commit(other, [{ collection: 'tasks', document: taskDoc(2), expect: { kind: 'none' } }], 'all');
  });
  afterAll(() => server.stop());

  it('sends the initial state of every user, a marker, then each change', async () => {
    const store = watch(server, storeToken(server.key));
    await until(() => store.events.some((e) => e.kind === 'initialized'), 'the initial state');
    expect(ids(store.events).sort()).toEqual([`${NOTES_REPLICA}/${uuid(1)}`, `${other}/${uuid(2)}`].sort());

    await server.store.commit(other, [{ collection: 'tasks', document: taskDoc(3), expect: { kind: 'none' } }], 'all');
    await until(() => store.events.at(-1)?.kind === 'change', 'a change');
    expect(store.events.at(-1)).toMatchObject({ kind: 'change', documents: [{ replica: other, document: { id: uuid(3) } }] });
    store.stop();
  });

  it('delivers the documents of one commit together', async () => {
    const store = watch(server, storeToken(server.key));
    await until(() => store.events.some((e) => e.kind === 'initialized'), 'the initial state');
    const before = store.events.length;
    await server.store.commit(
      NOTES_REPLICA,
      [4, 5, 6].map((n) => ({ collection: 'tasks' as const, document: taskDoc(n), expect: { kind: 'none' as const } })),
      'all',
    );
    await until(() => store.events.length > before, 'the commit');
    expect(store.events.slice(before)).toHaveLength(1);
    expect(ids(store.events.slice(before))).toEqual([4, 5, 6].map((n) => `${NOTES_REPLICA}/${uuid(n)}`));
    store.stop();
  });

  it('delivers a commit larger than a page whole, and moves past it only then', async () => {
    const store = watch(server, storeToken(server.key));
    await until(() => store.events.some((e) => e.kind === 'initialized'), 'the initial state');
    const before = store.events.length;
    const many = Array.from({ length: 2_500 }, (_, i) => ({
      collection: 'tasks' as const,
      document: taskDoc(1_000 + i),
      expect: { kind: 'none' as const },
    }));
    await server.store.commit(NOTES_REPLICA, many, 'all');
    await server.store.commit(NOTES_REPLICA, [{ collection: 'tasks', document: taskDoc(9_999), expect: { kind: 'none' } }], 'all');
    await until(() => ids(store.events.slice(before)).length >= 2_501, 'both commits');
    expect(store.events.slice(before).map((e) => (e.kind === 'change' ? e.documents.length : 0))).toEqual([2_500, 1]);
    store.stop();
  });

  it('resumes after a marker with the changes after it, and skips none', async () => {
    const first = watch(server, storeToken(server.key));
    await until(() => first.events.some((e) => e.kind === 'initialized'), 'the initial state');
    const marker = (first.events.find((e) => e.kind === 'initialized') as { resumeMarker: string }).resumeMarker;
    first.stop();
    for (const n of [7, 8, 9]) {
      await server.store.commit(NOTES_REPLICA, [{ collection: 'tasks', document: taskDoc(n), expect: { kind: 'none' } }], 'all');
    }
    const resumed = watch(server, storeToken(server.key), marker);
    await until(() => ids(resumed.events).length >= 3, 'the three changes');
    expect(resumed.events.every((e) => e.kind === 'change')).toBe(true);
    expect(ids(resumed.events)).toEqual([7, 8, 9].map((n) => `${NOTES_REPLICA}/${uuid(n)}`));
    resumed.stop();
  });

  it('refuses a user’s device, and anyone without a blessing: watching across replicas is the store’s', async () => {
    const errors: unknown[] = [];
    const device = client(server, userToken(server.key)).sync.watch.subscribe(
      { collection: 'tasks' },
      { onData: () => errors.push('data'), onError: (error) => errors.push(error) },
    );
    await until(() => errors.length > 0, 'the refusal');
    device.unsubscribe();
    expect(errors).toHaveLength(1);
    expect((errors[0] as { data?: { code?: string } }).data?.code).toBe('FORBIDDEN');
    const forged = signBlessing(
      { ...server.key, privateKey: (await import('node:crypto')).generateKeyPairSync('ed25519').privateKey },
      { name: STORE, ttlSeconds: 60 },
    );
    const refused = watch(server, forged);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(refused.events).toEqual([]);
    refused.stop();
  });
});

describe('batch deadlines and leases', () => {
  let server: NotesServer;
  beforeAll(async () => {
    server = await startNotesServer();
  });
  afterAll(() => server.stop());

  it('refuses a batch whose deadline has passed on the server’s clock, and writes nothing', async () => {
    const store = client(server, storeToken(server.key));
    const head = await server.store.head(NOTES_REPLICA);
    const write = { collection: 'tasks' as const, write: taskDoc(20) };
    expect(await store.sync.batch.mutate({ replica: NOTES_REPLICA, operations: [write], deadline: '2000-01-01T00:00:00.000Z' })).toEqual({
      ok: false,
      reason: 'deadline',
    });
    expect(await server.store.head(NOTES_REPLICA)).toBe(head);
    expect((await store.sync.batch.mutate({ replica: NOTES_REPLICA, operations: [write], deadline: '2999-01-01T00:00:00.000Z' })).ok).toBe(
      true,
    );
  });

  it('grants a lease to one holder at a time until it runs out or is renewed', async () => {
    const store = client(server, storeToken(server.key));
    const lease = (holder: string, ttlMs = 1_000) => store.sync.lease.mutate({ name: 'worker', holder, ttlMs });
    expect(await lease('a')).toMatchObject({ granted: true, holder: 'a' });
    expect(await lease('b')).toMatchObject({ granted: false, holder: 'a' });
    expect(await lease('a')).toMatchObject({ granted: true });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await lease('b')).toMatchObject({ granted: true, holder: 'b' });
    await expect(client(server, userToken(server.key)).sync.lease.mutate({ name: 'worker', holder: 'x', ttlMs: 1_000 })).rejects.toThrow(
      /only the store/,
    );
  });

  it('tells the store who holds a lease and until when, by the server’s clock, without taking it; a device may not ask', async () => {
    const store = client(server, storeToken(server.key));
    expect(await store.sync.leaseHolder.query({ name: 'board-read' })).toMatchObject({ lease: null });
    const taken = await store.sync.lease.mutate({ name: 'board-read', holder: 'worker-1', ttlMs: 5_000 });
    const { lease, now } = await store.sync.leaseHolder.query({ name: 'board-read' });
    expect(lease).toEqual({ holder: 'worker-1', expiresAt: taken.expiresAt });
    expect(Date.parse(now)).toBeLessThan(Date.parse(taken.expiresAt));
    expect(await store.sync.lease.mutate({ name: 'board-read', holder: 'worker-2', ttlMs: 5_000 })).toMatchObject({ granted: false });
    await expect(client(server, userToken(server.key)).sync.leaseHolder.query({ name: 'board-read' })).rejects.toThrow(/only the store/);
  });
});
