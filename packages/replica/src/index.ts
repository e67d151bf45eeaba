export { Replica, type BeforeApply, type ReplicaOptions, type ReplicaCollections, type SyncStatus } from './open-replica.ts';
export { createSyncClient, type SyncClient, type SyncClientOptions } from './sync-client.ts';
export { draftMerge, fieldLastWriterWins, serverWins } from './conflict-rules.ts';
export { fixedCredentials, withRecovery } from './recovery.ts';
export { ReadOnlyCollectionError } from './read-only.ts';
export { pullCheckpointId } from './checkpoint-ids.ts';
export {
  DeviceCredentials,
  indexedDBDeviceStore,
  memoryDeviceStore,
  type Credentials,
  type DevicePublicKey,
  type DeviceState,
  type DeviceStateStore,
} from './device-credentials.ts';

import { Replica, type ReplicaOptions } from './open-replica.ts';

/** Opens a device's replica: its local database, synced with the server. */
export function openReplica(options: ReplicaOptions): Promise<Replica> {
  return Replica.open(options);
}
