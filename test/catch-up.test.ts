import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSyncClient } from '@pourover/sync-client';
import { shopperCollectionNames } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDevice, devSignIn, openDevice } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

const REPLICA = 'bluebottle:users:c0ffee00-0000-4000-8000-000000000001';
const CHANGES = 5_000;

describe('a device that was offline while the server took 5,000 changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-catchup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('catches up from its checkpoint, not from zero, and ends equal to the server', async () => {
    const server = await startServerProcess(dir);
    const device = await openDevice(server, 'laptop');
    await device.replica.awaitInSync();
    const heldBefore = new Set<string>();
    for (const name of shopperCollectionNames) {
      for (const doc of await device.replica.collections[name].find().exec()) heldBefore.add(`${name}/${doc.id}`);
    }
    expect(heldBefore.size).toBeGreaterThan(20);

    device.link.unplug();
    const writer = createSyncClient({ url: server.url, token: () => token });
    const token = await devSignIn(server.url, 'phone');
    for (let done = 0; done < CHANGES; done += 1_000) {
      const rows = Array.from({ length: 1_000 }, (_, i) => ({
        assumedMasterState: null,
        newDocumentState: { ...draftOrder(`change ${done + i}`, randomUUID()), _deleted: false },
      }));
      const result = await writer.sync.push.mutate({ collection: 'draftOrders', rows });
      expect(result.conflicts).toEqual([]);
    }

    const received: string[] = [];
    for (const name of shopperCollectionNames) {
      device.replica.replicationOf(name).received$.subscribe((doc) => received.push(`${name}/${String(doc['id'])}`));
    }
    device.link.plug();
    await waitFor(
      'the device to hold every change',
      async () => (await device.replica.collections.draftOrders.count().exec()) === CHANGES,
      90_000,
    );
    await device.replica.awaitInSync();

    expect(received.filter((key) => heldBefore.has(key))).toEqual([]);
    expect(new Set(received).size).toBe(CHANGES);

    const file = readServerFile(dir);
    const onServer = file.documents(REPLICA, 'draftOrders').map((row) => row.document);
    file.close();
    const onDevice = (await device.replica.collections.draftOrders.find().exec()).map((doc) => doc.toJSON());
    const byId = (docs: { id?: unknown }[]) => [...docs].sort((x, y) => String(x.id).localeCompare(String(y.id)));
    expect(byId(onDevice)).toEqual(byId(onServer.map(({ _deleted, ...fields }) => fields)));

    await closeDevice(device);
    await server.stop();
  });
});
