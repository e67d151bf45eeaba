/**
 * A collection homed in drivers' replicas, with `$owner` in its syncgroup,
 * as the deliveries will be: a small app (the shop's collections and a
 * `stops` collection standing for them) shows each driver's phones reach
 * their own driver's replica only, the store reaches every driver's, and
 * no shopper reaches any.
 */
import type { WireDocument } from '@pourover/protocol';
import { driverReplica, STORE, type AppCollections } from '@pourover/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pouroverApp } from '../../src/app/pourover-app.ts';
import type { ServerApp } from '../../src/app/server-app.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { deviceKeys, refused, waitUntil } from '../support/device-keys.ts';
import { DEMO_REPLICA, deviceToken, storeToken, tempDir, trpcClient } from '../support/test-server.ts';

const stops: AppCollections = {
  stops: {
    name: 'stops',
    schema: z.object({ id: z.string().max(64), address: z.string().max(200) }),
    primaryKey: 'id',
    home: 'driver',
    conflict: 'server-wins',
    syncgroup: [
      { pattern: '$owner', grants: ['read', 'write', 'admin'] },
      { pattern: `${STORE}:$`, grants: ['read', 'batch', 'admin'] },
    ],
  },
};
const app: ServerApp = { ...pouroverApp, collections: { ...pouroverApp.collections, ...stops } };

const folder = tempDir();
let server: RunningServer;
const client = (token = '') => trpcClient(server.url, token);
const store = () => client(storeToken(server.key));
const stop = (id: string, address: string): WireDocument => ({ id, address, _deleted: false });

beforeAll(async () => {
  server = await startServer({
    app,
    dataDir: folder.dir,
    seed: true,
    limits: { address: { publicCalls: { points: 1_000, seconds: 60 } } },
  });
});
afterAll(async () => {
  await server.close();
  folder.remove();
});

async function pairedDriver(name: string) {
  const driver = await store().drivers.create.mutate({ name });
  const { code } = await store().drivers.createPairingCode.mutate({ driverId: driver.id });
  const { publicKey } = await deviceKeys();
  const phone = await client().drivers.signIn.mutate({ code, device: 'phone', publicKey });
  return { replica: driverReplica(driver.id), phone: client(phone.token) };
}

describe('a collection homed in each driver’s replica, its syncgroup naming `$owner`', () => {
  it('is written and read by the driver’s own phones, and batched into and read by the store', async () => {
    const dana = await pairedDriver('Dana');
    expect(
      await dana.phone.sync.push.mutate({
        collection: 'stops',
        rows: [{ assumedMasterState: null, newDocumentState: stop('s1', '1 Main St') }],
      }),
    ).toEqual(expect.objectContaining({ conflicts: [] }));
    const events: { kind: string; collection?: string; documents?: { id: string }[] }[] = [];
    const stream = dana.phone.sync.stream.subscribe({ lastEventId: null }, { onData: (envelope) => events.push(envelope.data as never) });
    try {
      expect(await waitUntil(() => events.some((event) => event.kind === 'ready'))).toBe(true);
      const batch = await store().sync.batch.mutate({
        replica: dana.replica,
        operations: [{ collection: 'stops', write: stop('s2', '2 High St') }],
      });
      expect(batch).toMatchObject({ ok: true });
      expect(
        await waitUntil(() => events.some((event) => event.collection === 'stops' && event.documents?.some((doc) => doc.id === 's2'))),
      ).toBe(true);
    } finally {
      stream.unsubscribe();
    }
    const pulled = await dana.phone.sync.pull.query({ collection: 'stops', checkpoint: null, limit: 10 });
    expect(pulled.documents.map((document) => document.id)).toEqual(['s1', 's2']);
    const read = await store().sync.get.query({ collection: 'stops', ids: ['s1', 's2'], replica: dana.replica });
    expect(read.documents).toEqual([stop('s1', '1 Main St'), stop('s2', '2 High St')]);
  });

  it('is another driver’s own only: a driver reaches none of another driver’s stops', async () => {
    const first = await pairedDriver('First');
    const second = await pairedDriver('Second');
    await first.phone.sync.push.mutate({
      collection: 'stops',
      rows: [{ assumedMasterState: null, newDocumentState: stop('mine', 'Mine') }],
    });
    expect(await refused(second.phone.sync.get.query({ collection: 'stops', ids: ['mine'], replica: first.replica }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await refused(
        second.phone.sync.batch.mutate({ replica: first.replica, operations: [{ collection: 'stops', write: stop('x', 'X') }] }),
      ),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await second.phone.sync.pull.query({ collection: 'stops', checkpoint: null, limit: 10 })).documents).toEqual([]);
    expect((await server.store.get(first.replica, 'stops', 'x'))?.document).toBeUndefined();
  });

  it('is no shopper’s, and a driver reaches no shopper’s collection nor the store’s', async () => {
    const dana = await pairedDriver('Walled');
    await dana.phone.sync.push.mutate({ collection: 'stops', rows: [{ assumedMasterState: null, newDocumentState: stop('walled', 'W') }] });
    const shopper = client(deviceToken(server.key));
    expect(
      await refused(
        shopper.sync.push.mutate({ collection: 'stops', rows: [{ assumedMasterState: null, newDocumentState: stop('s', 'S') }] }),
      ),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(shopper.sync.pull.query({ collection: 'stops', checkpoint: null, limit: 10 }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(shopper.sync.get.query({ collection: 'stops', ids: ['walled'], replica: dana.replica }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    for (const collection of ['user', 'draftOrders', 'placedOrders', 'processedOrders', 'availability', 'catalog'])
      expect(await refused(dana.phone.sync.pull.query({ collection, checkpoint: null, limit: 10 })), collection).toMatchObject({
        code: 'FORBIDDEN',
      });
    expect(await refused(dana.phone.sync.get.query({ collection: 'user', ids: ['x'], replica: DEMO_REPLICA }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await refused(
        dana.phone.sync.push.mutate({
          collection: 'user',
          rows: [{ assumedMasterState: null, newDocumentState: { id: 'x', _deleted: false } }],
        }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('is watched by the store across every driver’s replica', async () => {
    const dana = await pairedDriver('Watched');
    await dana.phone.sync.push.mutate({
      collection: 'stops',
      rows: [{ assumedMasterState: null, newDocumentState: stop('w1', 'Watched St') }],
    });
    const seen: { replica: string; id: string }[] = [];
    const watch = store().sync.watch.subscribe(
      { collection: 'stops' },
      {
        onData: (envelope) => {
          for (const entry of (envelope.data as { documents?: { replica: string; document: { id: string } }[] }).documents ?? [])
            seen.push({ replica: entry.replica, id: entry.document.id });
        },
      },
    );
    try {
      expect(await waitUntil(() => seen.some((entry) => entry.replica === dana.replica && entry.id === 'w1'))).toBe(true);
    } finally {
      watch.unsubscribe();
    }
  });
});
