import { join } from 'node:path';
import type { Order } from '@pourover/schemas';
import { createSyncClient } from '@pourover/sync-client';
import { loadServerKey, signBlessing } from '@pourover/sync-server';

/** A sync client holding the store's blessing, signed with the server's key from its data folder. */
export function storeOwnerClient(server: { url: string; dataDir: string }) {
  const token = signBlessing(loadServerKey(join(server.dataDir, 'server-key.pem')), { name: 'bluebottle', ttlSeconds: 3600 });
  return createSyncClient({ url: server.url, token: () => token });
}

/** Moves a placed order to processed orders as received, the way the processor will. */
export async function receiveOrder(client: ReturnType<typeof storeOwnerClient>, replica: string, placed: Order, at = new Date()) {
  const current = { ...placed, _deleted: false };
  const received = { ...placed, status: 'received' as const, receivedTime: at.toISOString(), _deleted: false };
  return client.sync.batch.mutate({
    replica,
    operations: [
      { collection: 'processedOrders', precondition: { kind: 'absent' }, write: received },
      { collection: 'placedOrders', precondition: { kind: 'equals', state: current }, write: { ...received, _deleted: true } },
    ],
  });
}
