import { z } from 'zod';
import { PostgresStore } from './postgres/postgres-store.ts';
import { postgresTargets } from './postgres/postgres-targets.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';
import { dataFile } from './data-files.ts';

/** A PostgreSQL connection URL, as `--store` and `POUROVER_STORE` take it: one host, or a primary and its standbys (`host1:5432,host2:5432`). */
export const postgresUrl = z
  .string()
  .trim()
  .superRefine((url, context) => {
    try {
      postgresTargets(url);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export type StoreChoice = {
  /** The SQLite store's folder, used when no `store` URL is given. */
  dataDir: string;
  /** A `postgres://` URL: the PostgreSQL store, for several server nodes on one database. */
  store?: string | undefined;
  /** PostgreSQL pool size. */
  poolSize?: number | undefined;
  /** A clock for tests; PostgreSQL otherwise judges time by its own clock. */
  now?: (() => Date) | undefined;
  /** Errors nobody awaits: a PostgreSQL connection that broke and is being replaced, a SQLite sync the disk refused. */
  onError?: ((error: unknown) => void) | undefined;
  /** Told how many commits each group commit wrote in its one transaction. */
  onGroup?: ((commits: number) => void) | undefined;
};

/** Opens the store the options name: PostgreSQL for a URL, else the embedded SQLite file. */
export async function openStore(choice: StoreChoice): Promise<Store> {
  if (choice.store === undefined) {
    return new SqliteStore({
      file: dataFile(choice.dataDir, 'documents'),
      ...(choice.now ? { now: choice.now } : {}),
      ...(choice.onGroup ? { onGroup: choice.onGroup } : {}),
      ...(choice.onError ? { onError: choice.onError } : {}),
    });
  }
  const url = postgresUrl.parse(choice.store);
  return PostgresStore.open({
    url,
    ...(choice.poolSize !== undefined ? { poolSize: choice.poolSize } : {}),
    ...(choice.now ? { now: choice.now } : {}),
    ...(choice.onError ? { onError: choice.onError } : {}),
    ...(choice.onGroup ? { onGroup: choice.onGroup } : {}),
  });
}
