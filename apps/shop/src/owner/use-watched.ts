import { watchEvent, type WatchedDocument } from '@pourover/protocol';
import type { Order } from '@pourover/schemas';
import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BoardRow } from './board-groups.ts';

/** How long the board waits before watching again after its watch stopped. */
const REWATCH_MS = 2_000;

/** What a watch has shown so far: null until its initial state has arrived. */
export type Watched = BoardRow[] | null;

/**
 * Follows one collection of orders across every shopper with the store's watch: the initial state, then each change.
 * A watch that stops (a dropped connection: its single-use stream ticket can't reopen it) starts again from
 * a new initial state, with a new ticket. Each of the store's watches is one of the few live streams its
 * blessing may hold, so the boards watch only the two collections of orders and read the rest on demand.
 */
export function useWatched(client: SyncClient, collection: 'placedOrders' | 'processedOrders'): Watched {
  const [rows, setRows] = useState<Map<string, BoardRow> | null>(null);
  useEffect(() => {
    let current = new Map<string, BoardRow>();
    let subscription: { unsubscribe(): void } | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const apply = (documents: WatchedDocument[]) => {
      current = new Map(current);
      for (const { replica, document } of documents) {
        if (document._deleted) current.delete(document.id);
        else current.set(document.id, { replica, order: document as unknown as Order, state: document });
      }
    };
    const watch = () => {
      let fresh = true;
      let initialized = false;
      subscription = client.sync.watch.subscribe(
        { collection },
        {
          onData: (envelope) => {
            const event = watchEvent.safeParse(envelope.data);
            if (!event.success) return;
            // A new watch begins with the whole initial state: what an earlier one showed goes.
            if (fresh) current = new Map();
            fresh = false;
            if (event.data.kind === 'initialized') initialized = true;
            else apply(event.data.documents);
            // The initial state's pages show at once, whole, when it is complete; each change as it comes.
            if (initialized) setRows(current);
          },
          onError: () => {
            subscription?.unsubscribe();
            retry = setTimeout(watch, REWATCH_MS);
          },
        },
      );
    };
    watch();
    return () => {
      clearTimeout(retry);
      subscription?.unsubscribe();
    };
  }, [client, collection]);
  return useMemo(() => (rows ? [...rows.values()] : null), [rows]);
}
