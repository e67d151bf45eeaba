import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useState } from 'preact/hooks';
import { explain } from '../words/error-words.ts';
import type { StoreCollection } from './store-client.ts';

type Doc = Record<string, unknown> & { id: string };

/**
 * The store's documents of one collection, pulled once, in the order
 * `compare` puts them in when they load; a saved document is replaced
 * where it stands, so a row never moves while the owner edits it.
 */
export function useStoreDocuments<T extends Doc>(client: SyncClient, collection: StoreCollection, compare: (a: T, b: T) => number) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.sync.pull.query({ collection, checkpoint: null, limit: 1000 }).then(
      ({ documents }) => setRows((documents.filter((document) => !document._deleted) as unknown as T[]).sort(compare)),
      (failure: unknown) => setError(explain(failure).sentence),
    );
  }, [client, collection]);
  const replace = (document: T) => setRows((current) => current?.map((row) => (row.id === document.id ? document : row)) ?? null);
  const add = (document: T) => setRows((current) => [...(current ?? []), document]);
  const remove = (id: string) => setRows((current) => current?.filter((row) => row.id !== id) ?? null);
  return { rows, error, replace, add, remove };
}
