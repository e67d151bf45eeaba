export { createSyncClient, type EventSourceConstructor, type SyncClient, type SyncClientOptions } from './sync-client.ts';
export { errorCodeOf, fixedCredentials, retryAfterMs, withRecovery } from './recovery.ts';
export {
  DeviceCredentials,
  indexedDBDeviceStore,
  memoryDeviceStore,
  type Credentials,
  type DevicePublicKey,
  type DeviceState,
  type DeviceStateStore,
} from './device-credentials.ts';
