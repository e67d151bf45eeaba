import type { PushRow, StreamEvent } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';
import { errorCodeOf, withRecovery, type Credentials, type SyncClient } from '@pourover/sync-client';
import type { ReplicationTransport } from './replication-transport.ts';

/** How many times over the first time limit a request may wait after requests timed out one after another. */
const MAX_TIMEOUT_FACTOR = 8;

/**
 * The replication's transport over the sync server's tRPC API; each call
 * recovers from an expired token, a rate limit or a busy server, and gives up
 * on an answer that has not come within its time limit: `timeoutMs`, doubled
 * after each request that timed out (up to 8 times over) and back once one is
 * answered, so a link too slow for the limit still gets its requests through.
 * An answer lost on a connection left open would otherwise hold the
 * collection's push, and the changes streamed to it meanwhile, for good; the
 * server takes a push it already took without a change.
 */
export function trpcTransport(client: SyncClient, credentials: Credentials, timeoutMs: number): ReplicationTransport {
  let factor = 1;
  const answeredWithin = async <T>(what: string, request: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const ms = timeoutMs * factor;
    const signal = AbortSignal.timeout(ms);
    try {
      const answer = await request(signal);
      factor = 1;
      return answer;
    } catch (error) {
      if (!signal.aborted) throw error;
      factor = Math.min(factor * 2, MAX_TIMEOUT_FACTOR);
      throw new Error(`${what}: the server did not answer within ${ms / 1000} s; trying again`, { cause: error });
    }
  };
  return {
    pull: (collection, checkpoint, limit) =>
      withRecovery(credentials, () =>
        answeredWithin(`Pulling ${collection}`, (signal) => client.sync.pull.query({ collection, checkpoint, limit }, { signal })),
      ),
    push: (collection, rows) =>
      withRecovery(credentials, () => answeredWithin(`Pushing ${collection}`, (signal) => pushOrRevert(client, collection, rows, signal))),
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
async function pushOrRevert(client: SyncClient, collection: CollectionName, rows: PushRow[], signal: AbortSignal) {
  try {
    return await client.sync.push.mutate({ collection, rows }, { signal });
  } catch (error) {
    if (errorCodeOf(error) !== 'FORBIDDEN') throw error;
    const ids = rows.map((row) => row.newDocumentState.id);
    const { documents } = await client.sync.get.query({ collection, ids }, { signal });
    const current = new Map(documents.map((doc) => [doc.id, doc]));
    return { conflicts: rows.map((row) => current.get(row.newDocumentState.id) ?? { ...row.newDocumentState, _deleted: true }), seqs: [] };
  }
}
