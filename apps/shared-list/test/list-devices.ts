import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openReplica } from '@pourover/replica';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { TcpLink } from '../../../test/support/tcp-link.ts';
import { sharedListDeviceApp, type ListReplica } from '../src/index.ts';

export type ListDevice = { replica: ListReplica; link: TcpLink };

/** A blessing for device `device` of user `user`, signed with the server's key as its sign-in would. */
export function deviceBlessing(dataDir: string, user: string, device: string): string {
  return signBlessing(loadServerKey(join(dataDir, 'server-key.pem')), { name: `bluebottle:users:${user}:${device}`, ttlSeconds: 3_600 });
}

/** Opens a device of the shared list in this process, with a database of its own, through an unpluggable link. */
export async function openListDevice(server: { port: number; dataDir: string }, user: string, device: string): Promise<ListDevice> {
  const link = await TcpLink.open(server);
  const replica = await openReplica({
    app: sharedListDeviceApp,
    url: link.url,
    blessing: deviceBlessing(server.dataDir, user, device),
    name: `list-${device}-${randomUUID()}`,
    indexedDB: { indexedDB, IDBKeyRange },
    EventSource,
    multiInstance: false,
    validate: true,
    retryMs: 250,
  });
  return { replica, link };
}

export async function closeListDevice(device: ListDevice): Promise<void> {
  await device.replica.close();
  await device.link.close();
}
