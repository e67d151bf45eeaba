import { watchEvent, type WatchedDocument } from '@pourover/protocol';
import { createSyncClient, type SyncClient } from '@pourover/replica';
import type { CatalogItem, DeliverySlot, Order } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { explain, formatCents, formatTime } from './format.ts';

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

function OrdersBoard({ client }: { client: SyncClient }) {
  const placed = useWatched(client, 'placedOrders');
  const processed = useWatched(client, 'processedOrders');
  const row = ({ replica, order }: Row) => (
    <li key={order.id} data-order-id={order.id}>
      <strong>{order.status}</strong> · {replica.split(':').at(-1)?.slice(0, 8)} · {order.itemCount} items · {formatCents(order.totalCents)}
      {order.placedTime ? ` · placed ${formatTime(order.placedTime)}` : ''}
      {order.rejectReason ? ` · ${order.rejectReason}` : ''}
    </li>
  );
  return (
    <div class="board">
      <section aria-labelledby="placed-heading">
        <h2 id="placed-heading">Placed ({placed.length})</h2>
        <ul aria-label="Placed orders">{placed.map(row)}</ul>
      </section>
      <section aria-labelledby="processed-heading">
        <h2 id="processed-heading">Processed ({processed.length})</h2>
        <ul aria-label="Processed orders">{processed.slice(0, 100).map(row)}</ul>
      </section>
    </div>
  );
}

/** Slots and catalog items the store edits: pulled once, each change pushed as the store. */
function Editors({ client }: { client: SyncClient }) {
  const [slots, setSlots] = useState<DeliverySlot[]>([]);
  const [items, setItems] = useState<CatalogItem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const load = () =>
    Promise.all([
      client.sync.pull.query({ collection: 'availability', checkpoint: null, limit: 1000 }),
      client.sync.pull.query({ collection: 'catalog', checkpoint: null, limit: 1000 }),
    ]).then(([a, c]) => {
      setSlots(a.documents.filter((d) => !d._deleted) as unknown as DeliverySlot[]);
      setItems(c.documents.filter((d) => !d._deleted) as unknown as CatalogItem[]);
    });
  useEffect(() => void load().catch((error: unknown) => setMessage(explain(error))), []);
  const save = async (collection: 'availability' | 'catalog', before: object, after: object) => {
    setMessage(null);
    try {
      const { conflicts } = await client.sync.push.mutate({
        collection,
        rows: [{ assumedMasterState: { ...before, _deleted: false } as never, newDocumentState: { ...after, _deleted: false } as never }],
      });
      setMessage(conflicts.length > 0 ? 'Someone changed this meanwhile; showing the latest.' : 'Saved.');
    } catch (error) {
      setMessage(explain(error));
    }
    await load();
  };
  const now = new Date().toISOString();
  return (
    <div class="editors">
      {message ? <p role="status">{message}</p> : null}
      <section aria-labelledby="slots-heading">
        <h2 id="slots-heading">Delivery slots</h2>
        <ul>
          {slots.filter((slot) => slot.end > now).map((slot) => (
            <li key={slot.id}>
              {formatTime(slot.start)} · {slot.taken} taken
              <label>
                Capacity
                <input type="number" min={slot.taken} max={10000} value={slot.capacity}
                  onChange={(e) => void save('availability', slot, { ...slot, capacity: Number(e.currentTarget.value) })} />
              </label>
              <label>
                Order cutoff
                <input type="datetime-local" value={slot.cutoff.slice(0, 16)}
                  onChange={(e) => void save('availability', slot, { ...slot, cutoff: new Date(`${e.currentTarget.value}Z`).toISOString() })} />
              </label>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="catalog-editor-heading">
        <h2 id="catalog-editor-heading">Catalog</h2>
        <ul>
          {items.map((item) => (
            <li key={item.id}>
              <label>
                Name
                <input value={item.name} maxLength={80} onChange={(e) => void save('catalog', item, { ...item, name: e.currentTarget.value })} />
              </label>
              <label>
                Price in cents
                <input type="number" min={0} value={item.priceCents} onChange={(e) => void save('catalog', item, { ...item, priceCents: Number(e.currentTarget.value) })} />
              </label>
              <label>
                <input type="checkbox" checked={item.available} onChange={(e) => void save('catalog', item, { ...item, available: e.currentTarget.checked })} /> Available
              </label>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** The store owner's view: a live board of orders across shoppers, and the slot and catalog editors. */
export default function OwnerView() {
  const [client, setClient] = useState<SyncClient | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [tab, setTab] = useState<'board' | 'editors'>('board');
  const signIn = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const { token } = await createSyncClient({ url: location.origin, token: () => '' }).auth.storeSignIn.mutate({ code: code.trim() });
      // The client is a callable proxy: pass it through an updater, or Preact would call it as one.
      const signedIn = createSyncClient({ url: location.origin, token: () => token });
      setClient(() => signedIn);
    } catch (failure) {
      setError(explain(failure));
    }
  };
  if (!client) {
    return (
      <main>
        <h1>Bluebottle — store owner</h1>
        {error ? <p class="error" role="alert">{error}</p> : null}
        <form onSubmit={(event) => void signIn(event)}>
          <label>
            Sign-in code from the server’s console
            <input name="code" autocomplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">Sign in as the store</button>
        </form>
      </main>
    );
  }
  return (
    <>
      <header>
        <h1>Bluebottle — orders</h1>
        <nav aria-label="Owner">
          <button type="button" aria-current={tab === 'board' ? 'page' : undefined} onClick={() => setTab('board')}>Board</button>
          <button type="button" aria-current={tab === 'editors' ? 'page' : undefined} onClick={() => setTab('editors')}>Slots and catalog</button>
        </nav>
      </header>
      <main>{tab === 'board' ? <OrdersBoard client={client} /> : <Editors client={client} />}</main>
    </>
  );
}
