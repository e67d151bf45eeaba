import type { AppRouter } from '@pourover/sync-server';
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';

export type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;

export type SyncClientOptions = {
  /** The server's base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** Returns the device's current blessing token. */
  token: () => string;
  EventSource?: EventSourceConstructor;
};

/** A typed tRPC client of the sync server: requests over HTTP, the live stream over SSE. */
export function createSyncClient(options: SyncClientOptions) {
  const url = `${options.url}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          connectionParams: () => ({ token: options.token() }),
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
        }),
        false: httpLink({
          url,
          headers: () => ({ authorization: `Bearer ${options.token()}` }),
        }),
      }),
    ],
  });
}

export type SyncClient = ReturnType<typeof createSyncClient>;
