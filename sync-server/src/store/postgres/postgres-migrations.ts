import type { ClientBase } from 'pg';

/**
 * Forward-only schema versions of the PostgreSQL store, applied in order;
 * `schema_version` records how many have run. Never edit a shipped entry:
 * a database that ran it would not run it again. Add a new one instead.
 *
 * Text keys use the "C" collation so that ordering by replica or id sorts
 * bytewise, as SQLite does, and both stores return rows in the same order.
 * `body` is the canonical JSON text, not jsonb: jsonb would refuse a `\u0000`
 * in a string that SQLite keeps, and we never query inside a document except
 * for `deleted`, which is a column of its own.
 */
export const postgresMigrations: readonly string[] = [
  `CREATE TABLE replicas (
     name text COLLATE "C" PRIMARY KEY,
     head bigint NOT NULL
   );
   CREATE TABLE documents (
     replica text COLLATE "C" NOT NULL,
     collection text COLLATE "C" NOT NULL,
     id text COLLATE "C" NOT NULL,
     body text NOT NULL,
     deleted boolean NOT NULL,
     seq bigint NOT NULL,
     updated_at timestamptz NOT NULL,
     commit_no bigint NOT NULL,
     PRIMARY KEY (replica, collection, id)
   );
   CREATE UNIQUE INDEX documents_by_seq ON documents (replica, seq);
   CREATE INDEX documents_by_collection ON documents (replica, collection, seq);
   CREATE INDEX documents_by_commit ON documents (collection, commit_no);
   CREATE INDEX documents_by_commit_only ON documents (commit_no);
   CREATE TABLE counters (name text COLLATE "C" PRIMARY KEY, value bigint NOT NULL);
   INSERT INTO counters (name, value) VALUES ('commit', 0);
   CREATE TABLE leases (name text COLLATE "C" PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL);`,
  // Identities, shared by every server node on the database (see postgres-identity-store.ts).
  `CREATE TABLE accounts (
     email text COLLATE "C" PRIMARY KEY,
     shopper_id text COLLATE "C" NOT NULL UNIQUE,
     password_hash text NOT NULL,
     created_at timestamptz NOT NULL
   );
   CREATE TABLE devices (
     name text COLLATE "C" PRIMARY KEY,
     shopper_id text COLLATE "C" NOT NULL,
     public_key text,
     created_at timestamptz NOT NULL,
     revoked_at timestamptz
   );
   CREATE INDEX devices_by_shopper ON devices (shopper_id, created_at);
   CREATE INDEX devices_revoked ON devices (name) WHERE revoked_at IS NOT NULL;
   CREATE TABLE pairing_codes (code_hash text PRIMARY KEY, shopper_id text COLLATE "C" NOT NULL, expires_at bigint NOT NULL, used_at bigint);
   CREATE TABLE syncgroups (
     replica text COLLATE "C" NOT NULL,
     collection text COLLATE "C" NOT NULL,
     members text NOT NULL,
     version integer NOT NULL,
     PRIMARY KEY (replica, collection)
   );
   CREATE TABLE server_key (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), public_key text NOT NULL);`,
  // Single-use stream tickets (hashed), and the counts of the limits every node shares (the
  // columns rate-limiter-flexible's RateLimiterPostgres reads and writes; see limits/limiters.ts).
  `CREATE TABLE stream_tickets (ticket_hash text PRIMARY KEY, holder text COLLATE "C" NOT NULL, expires_at bigint NOT NULL);
   CREATE INDEX stream_tickets_by_expiry ON stream_tickets (expires_at);
   CREATE TABLE rate_limits (key text COLLATE "C" PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint);
   CREATE INDEX rate_limits_by_expiry ON rate_limits (expire);`,
  // Images by content hash (see images/), served by every node.
  `CREATE TABLE IF NOT EXISTS pourover_images (hash text PRIMARY KEY, type text NOT NULL, bytes bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
  // The store's epoch: a name for this history of the data, renewed by a restore, so devices can tell theirs is gone.
  `CREATE TABLE store_meta (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);
   INSERT INTO store_meta (name, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 16));`,
  // The store's drivers (their devices are rows of `devices`, under the driver's replica name as their account).
  `CREATE TABLE drivers (id text COLLATE "C" PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL, removed_at timestamptz);`,
  // The protocol a stream ticket's request was served at, checked again by the node the stream opens on (null: none named).
  `ALTER TABLE stream_tickets ADD COLUMN protocol integer;`,
];

/** An arbitrary fixed key: server processes opening one database at once migrate it one at a time. */
const MIGRATION_LOCK = 0x706f7572;

/**
 * Brings the schema up to date, each version in its own transaction, under an
 * advisory lock so that two nodes starting together don't both run a step.
 * Refuses a database whose schema is newer than this server knows: an older
 * server would misread it, and migrations only go forward.
 */
export async function migratePostgres(client: ClientBase): Promise<{ from: number; to: number }> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT max(version) AS version FROM schema_version');
    const from = rows[0]?.version ?? 0;
    if (from > postgresMigrations.length) {
      throw new Error(`the database has schema version ${from}, newer than this server knows (${postgresMigrations.length})`);
    }
    for (const [index, sql] of postgresMigrations.entries()) {
      if (index < from) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [index + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return { from, to: Math.max(from, postgresMigrations.length) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
