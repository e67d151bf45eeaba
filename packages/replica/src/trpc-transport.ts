import type { PushRow, StreamEvent } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';
import { errorCodeOf, withRecovery, type Credentials, type SyncClient } from '@pourover/sync-client';
import type { ReplicationTransport } from './replication-transport.ts';

/** The replication's transport over the sync server's tRPC API; each call recovers from an expired token, a rate limit or a busy server. */
export function trpcTransport(client: SyncClient, credentials: Credentials): ReplicationTransport {
  return {
    pull: (collection, checkpoint, limit) => withRecovery(credentials, () => client.sync.pull.query({ collection, checkpoint, limit })),
    push: (collection, rows) => withRecovery(credentials, () => pushOrRevert(client, collection, rows)),
    stream: (listener) =>
      client.sync.stream.subscribe(
        { lastEventId: null },
        {
          onData: (envelope) => listener.event(envelope.data as StreamEvent),
          onConnectionStateChange: (state) =>
            listener.connection(state.state === 'pending' ? 'open' : state.error ? 'offline' : 'connecting', state.error?.message ?? null),
          onError: (error) => listener.ended(error),
          onComplete: () => listener.ended(null),
        },
      ),
    renewed: async (error) => errorCodeOf(error) === 'UNAUTHENTICATED' && (await credentials.refresh()),
  };
}

/**
 * Pushes rows; if the server refuses the device writes to this collection
 * (an admin took its write grant away, say), the server's own state comes back
 * as the conflict, so the collection's rule puts the device back in line. A
 * document the server does not have at all comes back deleted.
 */
async function pushOrRevert(client: SyncClient, collection: CollectionName, rows: PushRow[]) {
  try {
    return await client.sync.push.mutate({ collection, rows });
  } catch (error) {
    if (errorCodeOf(error) !== 'FORBIDDEN') throw error;
    const ids = rows.map((row) => row.newDocumentState.id);
    const { documents } = await client.sync.get.query({ collection, ids });
    const current = new Map(documents.map((doc) => [doc.id, doc]));
    return { conflicts: rows.map((row) => current.get(row.newDocumentState.id) ?? { ...row.newDocumentState, _deleted: true }), seqs: [] };
  }
}
