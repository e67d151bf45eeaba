import type { Checkpoint, PullResponse, PushResponse, PushRow, StreamEvent } from '@pourover/protocol';
import type { CollectionName } from '@pourover/protocol';

/** The live stream's connection, as the device shows it. */
export type StreamConnection = 'connecting' | 'open' | 'offline';

/** What a live stream tells its listener. */
export type StreamListener = {
  event(event: StreamEvent): void;
  connection(connection: StreamConnection, error: string | null): void;
  /** The stream ended (`null`) or broke; either way it is closed. */
  ended(error: Error | null): void;
};

/**
 * All the device's replication asks of the server: pull a page of a
 * collection's change log, push rows, follow the live stream. `trpcTransport`
 * is the real one; tests bring one that keeps the server in memory.
 */
export type ReplicationTransport = {
  pull(collection: CollectionName, checkpoint: Checkpoint | null, limit: number): Promise<PullResponse>;
  /** Pushes rows; rows the server refuses to take from this device come back as conflicts holding the server's state. */
  push(collection: CollectionName, rows: PushRow[]): Promise<PushResponse>;
  stream(listener: StreamListener): { unsubscribe(): void };
  /** Whether a stream that broke with `error` may reconnect at once (its expired token was renewed). */
  renewed(error: Error): Promise<boolean>;
};
