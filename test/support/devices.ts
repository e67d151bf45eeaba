import { randomUUID } from 'node:crypto';
import { openReplica } from '@pourover/replica';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { TcpLink } from './tcp-link.ts';
import { pouroverDeviceApp, type ShopReplica } from '@pourover/orders';

/** A device's app, as the server sees it: the protocol it claims (default today's) and its build. */
export type DeviceRelease = { protocol?: number | undefined; appBuild?: string | undefined };

export type Device = { name: string; replica: ShopReplica; link: TcpLink; token: string; database: string };

/** Signs in a new device of the demo shopper through the server's dev sign-in. */
export async function devSignIn(url: string, device: string): Promise<string> {
  const response = await fetch(`${url}/trpc/auth.devSignIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ device }),
  });
  const body = (await response.json()) as { result: { data: { token: string } } };
  return body.result.data.token;
}

/**
 * Opens a device of the demo shopper (or of the blessing `token` names) in
 * this process: a new database of its own in fake-indexeddb (which outlives
 * a test, so a reused name would carry an earlier server's checkpoints),
 * reaching the server through its own unpluggable link.
 */
export async function openDevice(
  server: { url: string; port: number },
  name: string,
  options: DeviceRelease & { token?: string } = {},
): Promise<Device> {
  const { token = await devSignIn(server.url, name), ...release } = options;
  const link = await TcpLink.open(server);
  const database = `device-${name}-${randomUUID()}`;
  const replica = await openDeviceReplica({ link, token, database }, release);
  return { name, replica, link, token, database };
}

/** The device's app closed and opened again over the same database, as another release (an update): what it had unsent is still there. */
export async function reopenDevice(device: Device, release: DeviceRelease): Promise<Device> {
  await device.replica.close();
  return { ...device, replica: await openDeviceReplica(device, release) };
}

function openDeviceReplica(device: Pick<Device, 'link' | 'token' | 'database'>, release: DeviceRelease): Promise<ShopReplica> {
  return openReplica({
    app: pouroverDeviceApp,
    url: device.link.url,
    blessing: device.token,
    name: device.database,
    indexedDB: { indexedDB, IDBKeyRange },
    EventSource,
    multiInstance: false,
    validate: true,
    retryMs: 250,
    ...(release.protocol === undefined ? {} : { protocol: release.protocol }),
    ...(release.appBuild === undefined ? {} : { appBuild: release.appBuild }),
  });
}

export async function closeDevice(device: Device): Promise<void> {
  await device.replica.close();
  await device.link.close();
}
