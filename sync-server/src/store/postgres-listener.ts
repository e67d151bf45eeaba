import { Client } from 'pg';

/** Backoff between attempts to get the LISTEN connection back. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

export type ListenerOptions = {
  url: string;
  channel: string;
  onNotification(payload: string): void;
  /**
   * Runs after every (re)connection has started listening. Notifications
   * sent while the connection was down are lost for good, so the caller
   * looks in the database for what it missed.
   */
  onListening(): Promise<void>;
  onError(error: unknown): void;
};

/**
 * One dedicated connection that LISTENs on a channel and comes back when it
 * drops (the database restarted, an admin killed it, the network blinked).
 * A pooled connection can't do this: LISTEN belongs to a session, and the
 * pool hands sessions around.
 */
export class PostgresListener {
  readonly #options: ListenerOptions;
  #client: Client | undefined;
  #closed = false;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ListenerOptions) {
    this.#options = options;
  }

  /** Connects and listens; rejects if the first attempt fails, so a bad URL fails the store's open. */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#closed = true;
      throw error;
    }
  }

  async #connect(): Promise<void> {
    const client = new Client({ connectionString: this.#options.url, application_name: 'pourover-listen', keepAlive: true });
    let lost = false;
    const drop = (error: unknown, ended: boolean) => {
      if (lost) return;
      lost = true;
      if (error !== undefined) this.#options.onError(error);
      if (this.#client === client) this.#client = undefined;
      if (!ended) client.end().catch(() => {});
      this.#schedule();
    };
    // Both fire when the server ends the session; `drop` acts once.
    client.on('error', (error) => drop(error, false));
    client.on('end', () => drop(undefined, true));
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel && message.payload !== undefined) this.#options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.#options.channel)}`);
      if (this.#closed) throw new Error('the listener was closed while it connected');
      this.#client = client;
      this.#retryMs = FIRST_RETRY_MS;
      await this.#options.onListening();
    } catch (error) {
      // Never leave a half-set-up session behind: end it; the caller decides whether to try again.
      lost = true;
      if (this.#client === client) this.#client = undefined;
      await client.end().catch(() => {});
      throw error;
    }
  }

  #schedule() {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#connect().catch((error: unknown) => {
        this.#options.onError(error);
        this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
        this.#schedule();
      });
    }, this.#retryMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.end();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
