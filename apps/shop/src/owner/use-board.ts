import type { CatalogItem, DeliverySlot } from '@pourover/schemas';
import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { mergeRows, type BoardRow } from './board-groups.ts';
import { boardNews, seenOf, type Seen } from './board-news.ts';
import { useProfiles, useStoreIndex, type Catalog, type Profiles, type Slots } from './use-lookups.ts';
import { useWatched, type Watched } from './use-watched.ts';

/** Everything the owner's boards show, live: the orders, and what they name (shoppers, items, slots). */
export type BoardData = {
  /** False until both watches have sent their initial state. */
  loaded: boolean;
  placed: BoardRow[];
  processed: BoardRow[];
  /** Every order once: processed over placed. */
  rows: BoardRow[];
  catalog: Catalog;
  slots: Slots;
  profiles: Profiles;
  /** The latest changes in words, for the board's live region. */
  news: string;
  /** The device's time, ticking each half minute, to judge lateness by. */
  now: Date;
};

const TICK_MS = 30_000;

function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

const orEmpty = (watched: Watched) => watched ?? [];

/** Each shopper replica's newest order id: a new one reads the shopper's profile again. */
function newestByReplica(rows: readonly BoardRow[]): ReadonlyMap<string, string> {
  const newest = new Map<string, BoardRow>();
  for (const row of rows) {
    const known = newest.get(row.replica);
    if (!known || (row.order.placedTime ?? '') > (known.order.placedTime ?? '')) newest.set(row.replica, row);
  }
  return new Map([...newest].map(([replica, row]) => [replica, row.order.id]));
}

/** The boards' data, live: two watches (placed and processed orders) and reads of what they name. */
export function useBoard(client: SyncClient): BoardData {
  const placedWatch = useWatched(client, 'placedOrders');
  const processedWatch = useWatched(client, 'processedOrders');
  const loaded = placedWatch !== null && processedWatch !== null;
  const rows = useMemo(() => mergeRows(orEmpty(placedWatch), orEmpty(processedWatch)), [placedWatch, processedWatch]);
  const itemIds = useMemo(() => [...new Set(rows.flatMap((row) => row.order.lines.map((line) => line.itemId)))], [rows]);
  const slotIds = useMemo(() => [...new Set(rows.map((row) => row.order.slotId))], [rows]);
  const catalog = useStoreIndex<CatalogItem>(client, 'catalog', itemIds);
  const slots = useStoreIndex<DeliverySlot>(client, 'availability', slotIds);
  const latest = useMemo(() => newestByReplica(rows), [rows]);
  const profiles = useProfiles(client, latest);
  const [news, setNews] = useState('');
  const seen = useRef<Seen | null>(null);
  useEffect(() => {
    if (!loaded) return;
    const said = boardNews(seen.current, rows, (replica) => profiles.get(replica)?.name || undefined);
    seen.current = seenOf(rows);
    if (said.length > 0) setNews(said.slice(-3).join(' '));
  }, [rows, loaded]);
  return { loaded, placed: orEmpty(placedWatch), processed: orEmpty(processedWatch), rows, catalog, slots, profiles, news, now: useNow() };
}
