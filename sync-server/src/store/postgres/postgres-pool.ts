import { Pool, type ClientBase, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { boundedSettings, CONNECT_TIMEOUT_MS, openClient, targetedClient } from './postgres-client.ts';
import { targetCursor, postgresTargets, type TargetCursor } from './postgres-targets.ts';
import { typedDatabaseError } from './postgres-unavailable.ts';

export type PostgresPoolOptions = {
  /** A `postgres://` URL naming one host or several. */
  url: string;
  /** Connections at most. */
  max: number;
  /** How the connections show in `pg_stat_activity`. */
  applicationName: string;
  /** Errors of idle connections that broke (the pool drops them and connects again on next use). */
  onError: (error: unknown) => void;
};

/**
 * A node's pool of request connections, with the bounds of `boundedSettings`
 * on each, across the hosts its URL names. Every connection has an error
 * listener for its whole life: the pool's while idle, this class's while
 * checked out, so a connection that breaks under a request fails that
 * request, with the typed `UNAVAILABLE` where the database is at fault,
 * and is replaced; it never takes the process down.
 */
export class PostgresPool {
  readonly #pool: Pool;
  readonly #cursor: TargetCursor;
  readonly #applicationName: string;

  constructor(options: PostgresPoolOptions) {
    this.#cursor = targetCursor(postgresTargets(options.url));
    this.#applicationName = options.applicationName;
    this.#pool = new Pool({ ...boundedSettings(options.applicationName), max: options.max, Client: targetedClient(this.#cursor) });
    this.#pool.on('error', options.onError);
  }

  /** One statement on a pooled connection. */
  async query<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    return this.withClient((client) => client.query<R>(sql, params));
  }

  /** Runs `use` on a connection of its own, returned to the pool after, or dropped if anything failed. */
  async withClient<T>(use: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      const result = await use(client);
      client.release(broken);
      return result;
    } catch (error) {
      // A connection left inside a failed transaction, or whose answer never came, must not go back to the pool.
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw typedDatabaseError(error);
    } finally {
      client.off('error', onError);
    }
  }

  /** Runs `use` in a transaction begun by `begin`, committed if it returns and rolled back if it throws. */
  async transaction<T>(begin: string, use: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query(begin);
      let result: T;
      try {
        result = await use(client);
      } catch (error) {
        // The original error matters, not a failed rollback; the connection is dropped either way.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      await client.query('COMMIT');
      return result;
    });
  }

  /**
   * Runs `use` on a dedicated connection with no statement bounds (a
   * migration may wait for another node's, and take long itself), closed after.
   */
  async unbounded<T>(use: (client: ClientBase) => Promise<T>): Promise<T> {
    const client = await openClient(this.#cursor, {
      config: { application_name: this.#applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true },
      // A break fails the statement under way, which is what `use` reports.
      onError: () => {},
    });
    try {
      return await use(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** The cursor over the URL's hosts, shared with the node's dedicated connections. */
  get cursor(): TargetCursor {
    return this.#cursor;
  }

  async end(): Promise<void> {
    await this.#pool.end();
  }

  /** A pooled connection; with several hosts, a failed attempt is tried on the next host at once, up to one try each. */
  async #connect(): Promise<PoolClient> {
    for (let tries = 1; ; tries += 1) {
      try {
        return await this.#pool.connect();
      } catch (error) {
        if (tries >= this.#cursor.targets.urls.length) throw typedDatabaseError(error);
      }
    }
  }
}
