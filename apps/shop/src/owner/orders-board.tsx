import { watchEvent, type WatchedDocument } from '@pourover/protocol';
import type { SyncClient } from '@pourover/sync-client';
import type { Order } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { formatCents, formatTime, orderNumber, plural } from '../format.ts';

type Row = { replica: string; order: Order };

/** How long the board waits before watching again after its watch stopped. */
const REWATCH_MS = 2_000;

/**
 * Follows one collection across every shopper with the store's watch: the initial state, then each change.
 * A watch that stops (a dropped connection: its single-use stream ticket can't reopen it) starts again from
 * a new initial state, with a new ticket.
 */
function useWatched(client: SyncClient, collection: 'placedOrders' | 'processedOrders'): Row[] {
  const [rows, setRows] = useState<Map<string, Row>>(new Map());
  useEffect(() => {
    let current = new Map<string, Row>();
    let subscription: { unsubscribe(): void } | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const apply = (documents: WatchedDocument[]) => {
      current = new Map(current);
      for (const { replica, document } of documents) {
        if (document._deleted) current.delete(document.id);
        else current.set(document.id, { replica, order: document as unknown as Order });
      }
      setRows(current);
    };
    const watch = () => {
      let fresh = true;
      subscription = client.sync.watch.subscribe(
        { collection },
        {
          onData: (envelope) => {
            const event = watchEvent.safeParse(envelope.data);
            if (!event.success) return;
            // A new watch begins with the whole initial state: what an earlier one showed goes.
            if (fresh) current = new Map();
            fresh = false;
            if (event.data.kind === 'initialized') setRows(current);
            else apply(event.data.documents);
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
  return [...rows.values()].sort((a, b) => (b.order.placedTime ?? '').localeCompare(a.order.placedTime ?? ''));
}

const statusWords: Record<string, string> = { placed: 'Placed', received: 'Received', rejected: 'Rejected' };

function OrderRow({ replica, order }: Row) {
  return (
    <li data-order-id={order.id} class={`board-order board-${order.status}`}>
      <span class="board-status">{statusWords[order.status] ?? order.status}</span>
      <span class="board-number">{orderNumber(order.id)}</span>
      <span>shopper {replica.split(':').at(-1)?.slice(0, 8)}</span>
      <span>{plural(order.itemCount, 'item')}</span>
      <span>{formatCents(order.totalCents)}</span>
      {order.placedTime ? <span>placed {formatTime(order.placedTime)}</span> : null}
      {order.rejectReason ? <span class="reason">{order.rejectReason}</span> : null}
    </li>
  );
}

/** Placed and processed orders across shoppers, live. */
export function OrdersBoard({ client }: { client: SyncClient }) {
  const placed = useWatched(client, 'placedOrders');
  const processed = useWatched(client, 'processedOrders');
  return (
    <div class="board">
      <section aria-labelledby="placed-heading">
        <h2 id="placed-heading">Placed ({placed.length})</h2>
        <ul aria-label="Placed orders">
          {placed.map((row) => (
            <OrderRow key={row.order.id} {...row} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="processed-heading">
        <h2 id="processed-heading">Processed ({processed.length})</h2>
        <ul aria-label="Processed orders">
          {processed.slice(0, 100).map((row) => (
            <OrderRow key={row.order.id} {...row} />
          ))}
        </ul>
      </section>
    </div>
  );
}
