import { errorCodeOf } from '@pourover/sync-client';
import type { ReplicationTransport } from './replication-transport.ts';

/**
 * The transport, telling `stop` the first time the server answers that this
 * app's protocol is no longer served (`UPDATE_NEEDED`, HTTP 426): no retry
 * can succeed, so the replica stops syncing until a newer app opens it, and
 * keeps every unsent write on disk for it.
 */
export function stoppingOnUpdateNeeded(transport: ReplicationTransport, stop: () => void): ReplicationTransport {
  const checked = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (errorCodeOf(error) === 'UPDATE_NEEDED') stop();
      throw error;
    }
  };
  return {
    pull: (collection, checkpoint, limit) => checked(() => transport.pull(collection, checkpoint, limit)),
    push: (collection, rows) => checked(() => transport.push(collection, rows)),
    stream: (listener) =>
      transport.stream({
        ...listener,
        ended: (error) => {
          if (error && errorCodeOf(error) === 'UPDATE_NEEDED') stop();
          listener.ended(error);
        },
      }),
    renewed: (error) => transport.renewed(error),
  };
}
