import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDevice, openDevice, type Device } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

const DEMO = 'c0ffee00-0000-4000-8000-000000000001';

async function notes(device: Device): Promise<string[]> {
  const drafts = await device.replica.collections.draftOrders.find().exec();
  return drafts.map((draft) => String(draft.get('note'))).sort();
}

/**
 * The requests the server has answered so far. It logs each once its answer
 * is sent, a little after the device may have read it: an entry for a
 * request made now comes after theirs.
 */
async function answered(server: ServerProcess) {
  const before = server.requests.length;
  await fetch(`${server.url}/healthz`);
  await waitFor('the server to log its answers', async () => server.requests.slice(before).some((r) => r.path === '/healthz'));
  return server.requests;
}

async function profile(device: Device) {
  const doc = await device.replica.collections.user.findOne(DEMO).exec();
  return doc?.toJSON();
}

describe('two devices of one shopper', () => {
  let dir: string;
  let server: ServerProcess;
  let a: Device;
  let b: Device;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pourover-two-'));
    // At debug, so that its health probes are logged too (`answered` waits for one).
    server = await startServerProcess(dir, undefined, ['--log-level', 'debug']);
    a = await openDevice(server, 'a');
    b = await openDevice(server, 'b');
    await Promise.all([a.replica.awaitInSync(), b.replica.awaitInSync()]);
  });

  afterEach(async () => {
    await Promise.all([closeDevice(a), closeDevice(b)]);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('start with the seeded catalog, slots and profile', async () => {
    for (const device of [a, b]) {
      expect(await device.replica.collections.catalog.count().exec()).toBeGreaterThanOrEqual(12);
      expect(await device.replica.collections.availability.count().exec()).toBeGreaterThan(0);
      expect((await profile(device))?.['name']).toBe('Demo Shopper');
    }
  });

  it('see each other’s writes through the live stream, without pulling again', async () => {
    const pulls = async () => (await answered(server)).filter((r) => r.path === '/trpc/sync.pull').length;
    const pullsBefore = await pulls();
    await a.replica.collections.draftOrders.insert(draftOrder('from a'));
    await waitFor('b to see a’s draft', async () => (await notes(b)).includes('from a'));
    const pullsAfter = await pulls();
    expect(pullsAfter).toBe(pullsBefore);
  });

  it('keep every write made on both while the server was down', async () => {
    await server.stop();
    await a.replica.collections.draftOrders.insert(draftOrder('a offline'));
    await b.replica.collections.draftOrders.insert(draftOrder('b offline'));
    await server.restart();
    const expected = ['a offline', 'b offline'];
    await waitFor('both devices to hold both drafts', async () =>
      (await Promise.all([notes(a), notes(b)])).every((list) => JSON.stringify(list) === JSON.stringify(expected)),
    );
  });

  it('keep concurrent edits to different fields of the profile', async () => {
    a.link.unplug();
    b.link.unplug();
    await (await a.replica.collections.user.findOne(DEMO).exec())?.incrementalPatch({ name: 'Ada' });
    await (await b.replica.collections.user.findOne(DEMO).exec())?.incrementalPatch({ address: '1 Loop Rd' });
    a.link.plug();
    b.link.plug();
    await waitFor('both edits on both devices', async () =>
      (await Promise.all([profile(a), profile(b)])).every((p) => p?.['name'] === 'Ada' && p['address'] === '1 Loop Rd'),
    );
  });

  it('resolve the same field to the later write the server accepted, on both devices', async () => {
    a.link.unplug();
    b.link.unplug();
    await (await a.replica.collections.user.findOne(DEMO).exec())?.incrementalPatch({ name: 'from a' });
    await (await b.replica.collections.user.findOne(DEMO).exec())?.incrementalPatch({ name: 'from b' });
    a.link.plug();
    await a.replica.awaitInSync();
    b.link.plug();
    await waitFor('b’s later write on both devices', async () =>
      (await Promise.all([profile(a), profile(b)])).every((p) => p?.['name'] === 'from b'),
    );
  });
});
