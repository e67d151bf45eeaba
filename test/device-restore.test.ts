import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDevice, openDevice, type Device } from './support/devices.ts';
import { draftOrder } from './support/documents.ts';
import { runServerCommand, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { waitFor } from './support/wait-for.ts';

const DEMO = 'c0ffee00-0000-4000-8000-000000000001';

const notes = async (device: Device) =>
  (await device.replica.collections.draftOrders.find().exec()).map((draft) => String(draft.get('note'))).sort();
const profile = async (device: Device) => (await device.replica.collections.user.findOne(DEMO).exec())?.toJSON();
const patchProfile = async (device: Device, patch: Record<string, string>) =>
  (await device.replica.collections.user.findOne(DEMO).exec(true)).incrementalPatch(patch);

let dir: string;
let server: ServerProcess;
const devices: Device[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pourover-device-restore-'));
  server = await startServerProcess(join(dir, 'data'));
});
afterAll(async () => {
  await Promise.all(devices.map(closeDevice));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a device across a restore of the server to an older backup', () => {
  it('pushes again what the server acknowledged after the backup and what it wrote offline; a second device sees all of it', async () => {
    const phone = await openDevice(server, 'phone');
    devices.push(phone);
    await phone.replica.collections.draftOrders.insert(draftOrder('before the backup'));
    await phone.replica.awaitInSync();
    const backup = await runServerCommand(['backup', '--to', join(dir, 'backup'), '--data', server.dataDir]);
    expect(backup.code).toBe(0);

    // Acknowledged by the server after the backup was made.
    await patchProfile(phone, { name: 'Renamed after the backup' });
    await phone.replica.collections.draftOrders.insert(draftOrder('acknowledged after the backup'));
    await phone.replica.awaitInSync();

    // Written while the server is down: a new draft, and another field of the profile.
    await server.stop();
    await phone.replica.collections.draftOrders.insert(draftOrder('written offline'));
    await patchProfile(phone, { address: '2 Offline Way' });
    await firstValueFrom(
      phone.replica.status$.pipe(
        filter((status) => status.unsent === 2),
        timeout(10_000),
      ),
    );

    const restored = await runServerCommand(['restore', '--from', join(dir, 'backup'), '--data', server.dataDir]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    await server.restart();

    const expected = ['acknowledged after the backup', 'before the backup', 'written offline'];
    await waitFor(
      'the phone to have pushed everything again',
      async () => (await firstValueFrom(phone.replica.status$)).unsent === 0,
      40_000,
    );
    const laptop = await openDevice(server, 'laptop');
    devices.push(laptop);
    await laptop.replica.awaitInSync();
    await waitFor(
      'the laptop to see every write of the phone',
      async () => {
        const seen = await profile(laptop);
        return (
          JSON.stringify(await notes(laptop)) === JSON.stringify(expected) &&
          seen?.['name'] === 'Renamed after the backup' &&
          seen['address'] === '2 Offline Way'
        );
      },
      20_000,
    );
    expect(await notes(phone)).toEqual(expected);
    expect(await profile(phone)).toMatchObject({ name: 'Renamed after the backup', address: '2 Offline Way' });
  }, 120_000);
});
