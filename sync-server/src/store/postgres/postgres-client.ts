import { Client, type ClientConfig } from 'pg';
import { ReadOnlyServer } from './postgres-unavailable.ts';
import type { TargetCursor } from './postgres-targets.ts';

/**
 * Bounds on every connection of a node, so that a database that is down or
 * hung fails requests in seconds rather than holding them (the reasons for
 * each figure are in docs/operations.md): a connection is made within
 * `CONNECT_TIMEOUT_MS`; the server cancels a statement after
 * `STATEMENT_TIMEOUT_MS`, and the client gives up on an answer after
 * `QUERY_TIMEOUT_MS` even if the server cannot (it is paused, or the network
 * dropped); a session left idle inside a transaction (a node that froze
 * mid-commit) is ended after `IDLE_IN_TRANSACTION_MS`, releasing its locks.
 */
export const CONNECT_TIMEOUT_MS = 2_000;
export const STATEMENT_TIMEOUT_MS = 5_000;
export const QUERY_TIMEOUT_MS = 6_000;
export const IDLE_IN_TRANSACTION_MS = 10_000;

/** The settings of a node's request connections. */
export function boundedSettings(applicationName: string): ClientConfig {
  return {
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    // A node that vanishes mid-transaction must not hold its replica locks until the kernel gives up on the socket.
    keepAlive: true,
  };
}

type ConnectCallback = (error: Error) => void;

/**
 * A `pg` client of the server the cursor names now. Where the targets ask
 * for a writable server it checks, once connected, that this one is (not a
 * standby); a connection that fails or lands on a standby moves the cursor
 * to the next host, so the next attempt tries there.
 */
export function targetedClient(cursor: TargetCursor): new (config?: ClientConfig) => Client {
  return class TargetedClient extends Client {
    readonly #url: string;

    constructor(config: ClientConfig = {}) {
      const url = cursor.current();
      super({ ...config, connectionString: url });
      this.#url = url;
    }

    override connect(): Promise<Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<Client> | void {
      const connected = this.#connectChecked();
      if (!callback) return connected;
      connected.then(() => callback(null as unknown as Error), callback);
    }

    async #connectChecked(): Promise<Client> {
      try {
        await super.connect();
      } catch (error) {
        cursor.failed(this.#url);
        throw error;
      }
      if (cursor.targets.readWrite && !(await this.#writable())) {
        cursor.failed(this.#url);
        await this.end().catch(() => {});
        throw new ReadOnlyServer(`${this.host}:${this.port}`);
      }
      return this;
    }

    async #writable(): Promise<boolean> {
      try {
        const { rows } = await this.query<{ recovery: boolean; read_only: string }>(
          `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only`,
        );
        return rows[0]?.recovery === false && rows[0].read_only === 'off';
      } catch (error) {
        cursor.failed(this.#url);
        await this.end().catch(() => {});
        throw error;
      }
    }
  };
}

/**
 * A dedicated connection (not pooled) to the first writable target, trying
 * each at most once. `onError` listens to every client tried for as long as
 * it lives, with the client it came from: a connection that breaks later
 * reports there instead of crashing the process.
 */
export async function openClient(
  cursor: TargetCursor,
  options: { config: ClientConfig; onError: (error: Error, client: Client) => void },
): Promise<Client> {
  const Targeted = targetedClient(cursor);
  let failure: unknown;
  for (let tries = 0; tries < cursor.targets.urls.length; tries += 1) {
    const client = new Targeted(options.config);
    client.on('error', (error) => options.onError(error, client));
    try {
      await client.connect();
      return client;
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}
