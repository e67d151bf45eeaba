import type { Client } from 'pg';
import { CONNECT_TIMEOUT_MS, openClient } from './postgres-client.ts';
import type { TargetCursor } from './postgres-targets.ts';
import { ReadOnlyServer } from './postgres-unavailable.ts';

/**
 * Waits between attempts to get the LISTEN connection back: from 50 ms,
 * doubling, to 1 s, each with jitter; but at most 200 ms after an attempt
 * the server turned away at once (nothing listening on its port, starting
 * up or shutting down, not taking connections to the database, a standby
 * not yet promoted), which costs it nothing, so that a node listens again
 * within a fraction of a second of its database coming back.
 */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1_000;
const TURNED_AWAY_RETRY_MS = 200;
/** How often the connection is asked a trivial question, and how long it has to answer before it counts as lost. */
const HEARTBEAT_MS = 250;
const HEARTBEAT_TIMEOUT_MS = 750;

export type ListenerOptions = {
  cursor: TargetCursor;
  channel: string;
  /** How the connection shows in `pg_stat_activity`. */
  applicationName: string;
  onNotification(payload: string): void;
  /**
   * Runs after every (re)connection has started listening. Notifications
   * sent while the connection was down are lost for good, so the caller
   * looks in the database for what it missed; until this resolves the
   * listener does not count as listening.
   */
  onListening(): Promise<void>;
  onError(error: unknown): void;
};

/**
 * One dedicated connection that LISTENs on a channel and comes back when it
 * drops (the database restarted, an admin killed it, the network blinked).
 * A pooled connection can't do this: LISTEN belongs to a session, and the
 * pool hands sessions around. A heartbeat finds a connection whose server
 * stopped answering (paused, or cut off without a word), so `listening`
 * turns false within about 1 s of the database going away, however it went.
 */
export class PostgresListener {
  readonly #options: ListenerOptions;
  #client: Client | undefined;
  /** Ends the current connection and schedules the next; set while one is up. */
  #drop: ((error: unknown) => void) | undefined;
  #listening = false;
  #closed = false;
  #failures = 0;
  #turnedAway = false;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Callers of `whenListening` waiting for the next connection to catch up. */
  readonly #waiting = new Set<() => void>();

  constructor(options: ListenerOptions) {
    this.#options = options;
  }

  /** Whether the connection is up, listening, and the catch-up after it (`onListening`) is done. */
  get listening(): boolean {
    return this.#listening;
  }

  /** Resolves once the listener is listening (at once if it is), or after `timeoutMs`. */
  whenListening(timeoutMs: number): Promise<void> {
    if (this.#listening || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiting.add(done);
    });
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

  /**
   * Gives up the connection as if it broke, and connects again: for a
   * caller that failed to act on a notification and must catch up as after
   * a break (not listening until it has).
   */
  reconnect(because: unknown): void {
    this.#drop?.(because);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listening = false;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    this.#drop = undefined;
    for (const done of [...this.#waiting]) done();
    const client = this.#client;
    this.#client = undefined;
    await client?.end();
  }

  async #connect(): Promise<void> {
    let lost = false;
    let client: Client | undefined;
    const drop = (error: unknown) => {
      if (lost) return;
      lost = true;
      if (error !== undefined) this.#options.onError(error);
      if (this.#client === client) this.#lose();
      client?.end().catch(() => {});
      this.#schedule();
    };
    client = await openClient(this.#options.cursor, {
      config: {
        application_name: this.#options.applicationName,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        query_timeout: HEARTBEAT_TIMEOUT_MS,
        keepAlive: true,
      },
      onError: (error, which) => {
        if (which === client) drop(error);
      },
    });
    // The server ending the session fires both; `drop` acts once.
    client.on('end', () => drop(undefined));
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel && message.payload !== undefined) this.#options.onNotification(message.payload);
    });
    try {
      await client.query(`LISTEN ${quoteIdentifier(this.#options.channel)}`);
      if (this.#closed) throw new Error('the listener was closed while it connected');
      this.#client = client;
      this.#drop = drop;
      await this.#options.onListening();
    } catch (error) {
      // Never leave a half-set-up session behind: end it; the caller decides whether to try again.
      lost = true;
      if (this.#client === client) this.#lose();
      await client.end().catch(() => {});
      throw error;
    }
    // The connection may have broken while the catch-up read: only a connection still up counts as listening.
    if (lost || this.#closed) return;
    this.#listening = true;
    this.#failures = 0;
    for (const done of [...this.#waiting]) done();
    this.#beat(client, drop);
  }

  /** Forgets the current connection: not listening from now until a new one has caught up. */
  #lose() {
    this.#client = undefined;
    this.#drop = undefined;
    this.#listening = false;
    clearInterval(this.#heartbeat);
  }

  /** Asks `client` its trivial question every `HEARTBEAT_MS`; no answer in time drops that connection (never a later one). */
  #beat(client: Client, drop: (error: unknown) => void) {
    let waiting = false;
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      if (waiting || this.#client !== client) return;
      waiting = true;
      client.query('SELECT 1').then(() => (waiting = false), drop);
    }, HEARTBEAT_MS);
  }

  #schedule() {
    if (this.#closed || this.#retry) return;
    const delay =
      Math.min(this.#turnedAway ? TURNED_AWAY_RETRY_MS : MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures) * (0.5 + Math.random() / 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      this.#connect().catch((error: unknown) => {
        this.#options.onError(error);
        this.#failures += 1;
        this.#turnedAway = turnedAway(error);
        this.#schedule();
      });
    }, delay);
  }
}

/**
 * Whether a server turned a connection away at once: refused it, was
 * starting or stopping (57P03), does not take connections to the database
 * now (55000, `ALLOW_CONNECTIONS false`), or is a standby.
 */
function turnedAway(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof ReadOnlyServer || code === 'ECONNREFUSED' || code === '57P03' || code === '55000';
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
