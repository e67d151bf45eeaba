import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '@pourover/protocol';
import { shopperCollectionNames } from '@pourover/schemas';
import { pouroverDeviceApp, type ShopReplica } from '@pourover/orders';
import { openReplica, type SyncStatus } from '@pourover/replica';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDevice, devSignIn, openDevice, type Device } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'pourover-update-needed-'));
const servers: ServerProcess[] = [];
const devices: Device[] = [];
afterAll(async () => {
  await Promise.all(devices.map(closeDevice));
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const open = (server: ServerProcess, blessing: string, name: string, protocol?: number) =>
  openReplica({
    app: pouroverDeviceApp,
    url: server.url,
    blessing,
    name,
    indexedDB: { indexedDB, IDBKeyRange },
    EventSource,
    multiInstance: false,
    retryMs: 100,
    ...(protocol ? { protocol } : {}),
  });
const statusOf = (replica: ShopReplica, wanted: (status: SyncStatus) => boolean) =>
  firstValueFrom(replica.status$.pipe(filter(wanted), timeout(20_000)));

describe('an app whose protocol the server no longer serves', () => {
  it('stops syncing at UPDATE_NEEDED without trying again, keeps its unsent writes (those made after it too), and a newer app over the same storage sends them', async () => {
    const first = await startServerProcess(join(dir, 'data'));
    const blessing = await devSignIn(first.url, 'old-app');
    await first.stop();

    // The older app writes while the server is down; the server comes back serving only the current protocol.
    const name = `old-app-${crypto.randomUUID()}`;
    const old = await open(first, blessing, name, PROTOCOL_VERSION - 1);
    await old.collections.draftOrders.insert(draftOrder('written by the old app'));
    await statusOf(old, (status) => status.unsent === 1);
    const server = await startServerProcess(first.dataDir, first.port, ['--oldest-protocol', String(PROTOCOL_VERSION)]);
    servers.push(server);

    expect(await statusOf(old, (status) => status.state === 'update-needed')).toMatchObject({ state: 'update-needed', unsent: 1 });
    const refused = () => server.requests.filter((request) => request.status === 426).length;
    await waitFor('the refused requests to be logged', () => refused() > 0);
    // Each collection's replication and the stream had a request in flight when the first refusal came: one refusal each.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const refusedAtStop = refused();
    expect(refusedAtStop).toBeLessThanOrEqual(shopperCollectionNames.length + 2);
    // A retry loop (every 100 ms here) would show as more refusals.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(refused()).toBe(refusedAtStop);
    expect(await firstValueFrom(old.status$)).toMatchObject({ state: 'update-needed', unsent: 1 });
    // The shopper goes on working: a write made now waits with the first, and the app counts it (it counted none before).
    await old.collections.draftOrders.insert(draftOrder('written while waiting for the update'));
    expect(await statusOf(old, (status) => status.unsent === 2)).toMatchObject({ state: 'update-needed', unsent: 2 });
    expect(refused()).toBe(refusedAtStop);
    await old.close();

    const updated = await open(server, blessing, name);
    try {
      await updated.awaitInSync();
      await statusOf(updated, (status) => status.unsent === 0);
    } finally {
      await updated.close();
    }
    const other = await openDevice(server, 'other');
    devices.push(other);
    await waitFor('another device to see both drafts', async () => {
      const notes = (await other.replica.collections.draftOrders.find().exec()).map((draft) => draft.get('note'));
      return notes.includes('written by the old app') && notes.includes('written while waiting for the update');
    });
  }, 90_000);
});
