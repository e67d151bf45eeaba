import { randomUUID } from 'node:crypto';
import { openReplica } from '@pourover/replica';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { TcpLink } from './tcp-link.ts';
import { pouroverDeviceApp, type ShopReplica } from '@pourover/orders';

export type Device = { name: string; replica: ShopReplica; link: TcpLink; token: string };

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
 * Opens a device of the demo shopper in this process: a new database of its
 * own in fake-indexeddb (which outlives a test, so a reused name would carry
 * an earlier server's checkpoints), reaching the server through its own
 * unpluggable link.
 */
export async function openDevice(server: { url: string; port: number }, name: string): Promise<Device> {
  const blessing = await devSignIn(server.url, name);
  const link = await TcpLink.open(server);
  const replica = await openReplica({
    app: pouroverDeviceApp,
    url: link.url,
    blessing,
    name: `device-${name}-${randomUUID()}`,
    indexedDB: { indexedDB, IDBKeyRange },
    EventSource,
    multiInstance: false,
    validate: true,
    retryMs: 250,
  });
  return { name, replica, link, token: blessing };
}

export async function closeDevice(device: Device): Promise<void> {
  await device.replica.close();
  await device.link.close();
}
