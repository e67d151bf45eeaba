import type { PushRow, WireDocument } from '@pourover/protocol';
import type { CollectionName } from '@pourover/schemas';
import type { ReplicationPushOptions, RxCollection } from 'rxdb/plugins/core';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { chunkBySize } from './chunk-rows.ts';
import type { Credentials } from './device-credentials.ts';
import type { LiveStream } from './live-stream.ts';
import { PULL_BATCH, type ServerPull } from './pull-fresh.ts';
import { errorCodeOf, withRecovery } from './recovery.ts';
import type { SeqBook } from './seq-book.ts';
import type { SyncClient } from './sync-client.ts';
import type { UnsentChanges } from './unsent-changes.ts';

/** Push requests stay under this many bytes of JSON (the server takes at most 1 MiB). */
const MAX_PUSH_BYTES = 768 * 1024;
const PUSH_BATCH = 500;

/**
 * Pushes rows; if the server refuses the device writes to this collection
 * (an admin took its write grant away, say), the server's own state comes back
 * as the conflict, so the collection's rule puts the device back in line. A
 * document the server does not have at all comes back deleted.
 */
async function pushOrRevert(client: SyncClient, collection: CollectionName, rows: PushRow[]): Promise<{ conflicts: WireDocument[]; seqs: number[] }> {
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

export type ReplicationParts = {
  name: CollectionName;
  collection: RxCollection<Record<string, unknown>>;
  client: SyncClient;
  credentials: Credentials;
  seqs: SeqBook;
  stream: LiveStream;
  unsent: UnsentChanges;
  pull: ServerPull;
  retryMs: number;
};

/** RxDB's replication of a collection the device writes: pulls, pushes, and conflicts settled by the collection's rule. */
export function replicateTwoWay(parts: ReplicationParts) {
  const { name } = parts;
  return replicateRxCollection<Record<string, unknown>, { seq: number }>({
    collection: parts.collection,
    replicationIdentifier: `pourover-${name}`,
    live: true,
    retryTime: parts.retryMs,
    waitForLeadership: true,
    pull: {
      batchSize: PULL_BATCH,
      stream$: parts.stream.streamOf(name).asObservable(),
      handler: async (checkpoint) => {
        const page = await parts.pull(checkpoint ?? null);
        return { documents: page.documents as never, checkpoint: page.checkpoint ?? { seq: 0 } };
      },
    },
    push: pushOf(parts),
  });
}

function pushOf(parts: ReplicationParts): ReplicationPushOptions<Record<string, unknown>> {
  const { name, client } = parts;
  return {
    batchSize: PUSH_BATCH,
    handler: (rows) =>
      parts.seqs.pushing(name, async () => {
        const sent = parts.unsent.beginPush(name, rows.map((row) => String(row.newDocumentState['id'])));
        const conflicts: WireDocument[] = [];
        for (const chunk of chunkBySize(rows, MAX_PUSH_BYTES) as unknown as PushRow[][]) {
          const result = await withRecovery(parts.credentials, () => pushOrRevert(client, name, chunk));
          parts.seqs.acknowledged(name, chunk.map((row) => row.newDocumentState), result.seqs);
          conflicts.push(...result.conflicts);
        }
        sent();
        return conflicts as never;
      }),
  };
}
