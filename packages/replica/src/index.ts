export type { BeforeApply } from './before-apply.ts';
export { Replica, type ReplicaOptions, type ReplicaCollections, type SyncStatus } from './open-replica.ts';
export { draftMerge, fieldLastWriterWins, serverWins } from './conflict-rules.ts';
export { ReadOnlyCollectionError } from './read-only.ts';
export { pullCheckpointId } from './checkpoint-ids.ts';

import { Replica, type ReplicaOptions } from './open-replica.ts';

/** Opens a device's replica: its local database, synced with the server. */
export function openReplica(options: ReplicaOptions): Promise<Replica> {
  return Replica.open(options);
}
