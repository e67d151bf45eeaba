import { APP_BUILD_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@pourover/protocol';
import type { AppRouter } from '@pourover/sync-server';
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';

export type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;

export type SyncClientOptions = {
  /** The server's base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** Returns the device's current blessing token. */
  token: () => string;
  EventSource?: EventSourceConstructor;
  /**
   * Calls made in the same tick go in one HTTP request, up to this many (at
   * most the server's MAX_BATCH_CALLS); for clients that make many at once,
   * like the store's workers. Each call is still authorized, charged and
   * answered on its own.
   */
  batchCalls?: number;
  /** The app's build, sent with every request for the server's logs (the protocol version is always sent). */
  appBuild?: string;
  /** The protocol version to claim (default PROTOCOL_VERSION): only tests claim another, to stand for an older app. */
  protocol?: number;
};

/**
 * A typed tRPC client of the sync server: requests over HTTP with the token
 * in their `Authorization` header, live streams over SSE. A live stream's
 * URL carries no token: before each (re)connection the client asks for a
 * single-use stream ticket (`auth.streamTicket`, with the header) and sends
 * that. A refused ticket request (an expired token, say) fails the stream
 * with its typed error, for the caller to refresh and subscribe again.
 */
export function createSyncClient(options: SyncClientOptions) {
  const url = `${options.url}/trpc`;
  const version = {
    [PROTOCOL_HEADER]: String(options.protocol ?? PROTOCOL_VERSION),
    ...(options.appBuild ? { [APP_BUILD_HEADER]: options.appBuild } : {}),
  };
  const headers = () => ({ authorization: `Bearer ${options.token()}`, ...version });
  const requests = options.batchCalls
    ? httpBatchLink({
        url,
        maxItems: options.batchCalls,
        // Batched queries travel in the URL: well under the 16 KiB of headers Node takes.
        maxURLLength: 8_000,
        headers,
      })
    : httpLink({ url, headers });
  const tickets = createTRPCClient<AppRouter>({ links: [httpLink({ url, headers })] });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          connectionParams: async () => ({ ticket: (await tickets.auth.streamTicket.mutate()).ticket }),
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
        }),
        false: requests,
      }),
    ],
  });
}

export type SyncClient = ReturnType<typeof createSyncClient>;
