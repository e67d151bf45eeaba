export type { BeforeApply } from './before-apply.ts';
export { Replica, type ReplicaOptions, type ReplicaCollections, type SyncStatus } from './open-replica.ts';
export { fieldLastWriterWins, serverWins } from './conflict-rules.ts';
export type { DeviceApp } from './device-app.ts';
export { ReadOnlyCollectionError } from './read-only.ts';
export { pullCheckpointId } from './checkpoint-ids.ts';

import { Replica, type ReplicaOptions } from './open-replica.ts';

/** Opens a device's replica: its local database, synced with the server. */
export function openReplica<Name extends string>(options: ReplicaOptions<Name>): Promise<Replica<Name>> {
  return Replica.open(options);
}
