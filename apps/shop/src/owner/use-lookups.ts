import type { Checkpoint } from '@pourover/protocol';
import type { CatalogItem, DeliverySlot, UserProfile } from '@pourover/schemas';
import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useRef, useState } from 'preact/hooks';

/** How often the boards read the store's slots and catalog again for changes, besides when an order names one they lack. */
const REFRESH_MS = 60_000;
/** The least time between two reads for a missing id, so an id that is never found costs one read in this long. */
const RETRY_MS = 5_000;

/**
 * The store's documents of one collection (its catalog or its slots) by id:
 * pulled whole, then its changes since, whenever an order names one not yet
 * known and every minute. The boards hold two live watches; these change
 * seldom, so they are read instead of watched.
 */
export function useStoreIndex<T extends { id: string }>(
  client: SyncClient,
  collection: 'catalog' | 'availability',
  wanted: readonly (string | null)[],
): ReadonlyMap<string, T> {
  const [index, setIndex] = useState<ReadonlyMap<string, T>>(new Map());
  const checkpoint = useRef<Checkpoint | null>(null);
  const lastRead = useRef(0);
  const reading = useRef<Promise<void> | null>(null);
  const read = () => {
    reading.current ??= (async () => {
      lastRead.current = Date.now();
      for (;;) {
        const page = await client.sync.pull.query({ collection, checkpoint: checkpoint.current, limit: 1_000 });
        checkpoint.current = page.checkpoint;
        setIndex((current) => {
          const next = new Map(page.reset ? [] : current);
          for (const document of page.documents) {
            if (document._deleted) next.delete(document.id);
            else next.set(document.id, document as unknown as T);
          }
          return next;
        });
        if (page.documents.length < 1_000) break;
      }
    })()
      .catch(() => {})
      .finally(() => (reading.current = null));
  };
  useEffect(() => {
    read();
    const timer = setInterval(read, REFRESH_MS);
    return () => clearInterval(timer);
  }, [client, collection]);
  const missing = wanted.some((id) => id !== null && !index.has(id));
  useEffect(() => {
    if (missing && Date.now() - lastRead.current > RETRY_MS) read();
  }, [missing, wanted.length]);
  return index;
}

export type Catalog = ReadonlyMap<string, CatalogItem>;
export type Slots = ReadonlyMap<string, DeliverySlot>;

/** A shopper's profile as the store reads it from their replica: undefined while unread, null when there is none. */
export type Profiles = ReadonlyMap<string, UserProfile | null>;

/**
 * Shoppers' profiles (name, address), read from each shopper's replica:
 * once for each replica the boards show, and again when the shopper places
 * another order (`latest` names each replica's newest order), so the address
 * shown is the one they had when they ordered.
 */
export function useProfiles(client: SyncClient, latest: ReadonlyMap<string, string>): Profiles {
  const [profiles, setProfiles] = useState<Profiles>(new Map());
  const readFor = useRef(new Map<string, string>());
  useEffect(() => {
    for (const [replica, orderId] of latest) {
      if (readFor.current.get(replica) === orderId) continue;
      readFor.current.set(replica, orderId);
      const id = replica.split(':').at(-1) ?? '';
      client.sync.get.query({ collection: 'user', replica, ids: [id] }).then(
        ({ documents }) => {
          const [profile] = documents.filter((document) => !document._deleted);
          setProfiles((current) => new Map(current).set(replica, profile ? (profile as unknown as UserProfile) : null));
        },
        // Unread stays unknown: read again with this shopper's next order.
        () => readFor.current.delete(replica),
      );
    }
  }, [client, latest]);
  return profiles;
}
