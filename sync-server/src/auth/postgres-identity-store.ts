import { EventEmitter } from 'node:events';
import { PouroverError, syncgroupMember } from '@pourover/protocol';
import { driverReplica, type SyncgroupMember } from '@pourover/schemas';
import type { ClientBase } from 'pg';
import { z } from 'zod';
import { migratePostgres } from '../store/postgres/postgres-migrations.ts';
import { PostgresListener } from '../store/postgres/postgres-listener.ts';
import { PostgresPool } from '../store/postgres/postgres-pool.ts';
import type { Readiness } from '../store/store.ts';
import {
  hashPairingCode,
  newPairingCode,
  syncgroupKey,
  type DeviceRecord,
  type DriverRecord,
  type IdentityStore,
  type NewDevice,
  type Redemption,
  type SyncgroupSpec,
} from './identity-store.ts';
import { hashStreamTicket, newStreamTicket, type StreamGrant } from './stream-tickets.ts';

/** The channel on which every node hears of revocations and syncgroup changes made through any node. */
export const IDENTITY_CHANNEL = 'pourover_identity';

/** The first key of the per-shopper lock that registers devices within the cap. */
const DEVICE_LOCK = 0x64657669;

const notice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('revoked'), device: z.string() }),
  z.object({ kind: z.literal('syncgroup'), replica: z.string(), collection: z.string() }),
]);
const storedMembers = z.array(syncgroupMember);

type DeviceRow = { name: string; shopper_id: string; public_key: string | null; created_at: Date; revoked_at: Date | null };
const toDevice = (row: DeviceRow): DeviceRecord => ({
  name: row.name,
  shopperId: row.shopper_id,
  publicKey: row.public_key ? (JSON.parse(row.public_key) as JsonWebKey) : null,
  createdAt: row.created_at.toISOString(),
  revokedAt: row.revoked_at?.toISOString() ?? null,
});
type DriverRow = { id: string; name: string; created_at: Date; removed_at: Date | null };
const toDriver = (row: DriverRow): DriverRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  removedAt: row.removed_at?.toISOString() ?? null,
});
/** Why a node refuses requests while it re-reads what the listening connection would have told it. */
const STALE = 'this server node is reading revocations and syncgroups again after losing its database connection';

export type PostgresIdentityOptions = {
  /** A `postgres://` URL, one host or several, as the store takes it. */
  url: string;
  /** The public half of this node's signing key (SPKI PEM): every node on the database must sign with the same key. */
  serverPublicKey: string;
  /** Connections in the identity pool (default 4): sign-ins, refreshes and pairing only. */
  poolSize?: number;
  onError?: (error: unknown) => void;
};

/**
 * Identities in the PostgreSQL database every server node shares. The
 * revoked devices and the syncgroup specs, which every request reads, are
 * held in memory and kept current through LISTEN/NOTIFY: a revocation or a
 * new spec committed through any node is announced in its transaction, so
 * every node learns it within milliseconds, cuts the device's streams and
 * refuses its requests. When the listening connection breaks, notifications
 * are lost until it is back, so from the moment the break is seen until both
 * sets are read again over the new connection, `isRevoked` and `syncgroup`
 * refuse with `UNAVAILABLE` (fail closed): a device revoked meanwhile is
 * never served from the old set.
 */
export class PostgresIdentityStore implements IdentityStore {
  readonly kind = 'postgres';
  readonly #pool: PostgresPool;
  readonly #listener: PostgresListener;
  readonly #revoked = new Set<string>();
  readonly #syncgroups = new Map<string, SyncgroupSpec>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #onError: (error: unknown) => void;

  private constructor(options: PostgresIdentityOptions) {
    this.#onError = options.onError ?? ((error: unknown) => process.stderr.write(`pourover postgres identities: ${String(error)}\n`));
    this.#pool = new PostgresPool({
      url: options.url,
      max: options.poolSize ?? 4,
      applicationName: 'pourover-identity',
      onError: this.#onError,
    });
    this.#listener = new PostgresListener({
      cursor: this.#pool.cursor,
      channel: IDENTITY_CHANNEL,
      applicationName: 'pourover-listen',
      onNotification: (payload) => this.#notified(payload),
      onListening: () => this.#reload(),
      onError: this.#onError,
    });
  }

  /** Migrates, checks that this node signs with the key the other nodes use, then loads what every request reads and listens for changes. */
  static async open(options: PostgresIdentityOptions): Promise<PostgresIdentityStore> {
    const store = new PostgresIdentityStore(options);
    try {
      await store.#pool.unbounded(async (client) => {
        await migratePostgres(client);
        await agreeOnServerKey(client, options.serverPublicKey);
      });
      await store.#listener.start();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  isRevoked(name: string) {
    this.#mustBeCurrent();
    return this.#revoked.has(name);
  }

  onRevoked(listener: (name: string) => void) {
    this.#events.on('revoked', listener);
    return () => void this.#events.off('revoked', listener);
  }

  async registerDevice(device: NewDevice, now: Date, limit?: { maxActive: number }) {
    if (limit) return this.#registerWithin(device, now, limit.maxActive);
    // One statement: a revocation committed by another node meanwhile can't be overwritten.
    const { rows } = await this.#pool.query<{ revoked: boolean }>(
      `INSERT INTO devices AS d (name, shopper_id, public_key, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET public_key = excluded.public_key WHERE d.revoked_at IS NULL
       RETURNING false AS revoked`,
      [device.name, device.shopperId, device.publicKey ? JSON.stringify(device.publicKey) : null, now.toISOString()],
    );
    return rows.length > 0 ? ('registered' as const) : ('revoked' as const);
  }

  async device(name: string) {
    const { rows } = await this.#pool.query<DeviceRow>('SELECT * FROM devices WHERE name = $1', [name]);
    return rows[0] ? toDevice(rows[0]) : undefined;
  }

  async devices(shopperId: string) {
    const { rows } = await this.#pool.query<DeviceRow>('SELECT * FROM devices WHERE shopper_id = $1 ORDER BY created_at, name', [
      shopperId,
    ]);
    return rows.map(toDevice);
  }

  async revoke(name: string, now: Date) {
    const { rows } = await this.#pool.query(
      `WITH revoked AS (UPDATE devices SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING name)
       SELECT pg_notify($3, json_build_object('kind', 'revoked', 'device', name)::text) FROM revoked`,
      [name, now.toISOString(), IDENTITY_CHANNEL],
    );
    if (rows.length === 0) return false;
    this.#markRevoked(name);
    return true;
  }

  async createPairingCode(shopperId: string, ttlMs: number, now: Date) {
    const code = newPairingCode();
    await this.#pool.query('INSERT INTO pairing_codes (code_hash, shopper_id, expires_at) VALUES ($1, $2, $3)', [
      hashPairingCode(code),
      shopperId,
      now.getTime() + ttlMs,
    ]);
    return code;
  }

  async redeemPairingCode(code: string, now: Date): Promise<Redemption> {
    const hash = hashPairingCode(code);
    // The update is the decision: of two nodes redeeming one code at once, exactly one updates the row.
    const used = await this.#pool.query<{ shopper_id: string }>(
      'UPDATE pairing_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING shopper_id',
      [hash, now.getTime()],
    );
    const redeemed = used.rows[0];
    if (redeemed) return { ok: true, shopperId: redeemed.shopper_id };
    const { rows } = await this.#pool.query<{ used_at: string | null }>('SELECT used_at FROM pairing_codes WHERE code_hash = $1', [hash]);
    const row = rows[0];
    if (!row) return { ok: false, reason: 'unknown' };
    return { ok: false, reason: row.used_at !== null ? 'used' : 'expired' };
  }

  async createStreamTicket(grant: StreamGrant, ttlMs: number, now: Date) {
    const ticket = newStreamTicket();
    // Expired tickets go in the same statement: never used, they would only pile up.
    await this.#pool.query(
      `WITH expired AS (DELETE FROM stream_tickets WHERE expires_at <= $4)
       INSERT INTO stream_tickets (ticket_hash, holder, expires_at, protocol) VALUES ($1, $2, $3, $5)`,
      [hashStreamTicket(ticket), grant.holder, now.getTime() + ttlMs, now.getTime(), grant.protocol ?? null],
    );
    return ticket;
  }

  async redeemStreamTicket(ticket: string, now: Date): Promise<StreamGrant | undefined> {
    // The delete is the decision: of two nodes given one ticket at once, exactly one gets its row.
    const { rows } = await this.#pool.query<{ holder: string; expires_at: string; protocol: number | null }>(
      'DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING holder, expires_at, protocol',
      [hashStreamTicket(ticket)],
    );
    const row = rows[0];
    return row && Number(row.expires_at) > now.getTime() ? { holder: row.holder, protocol: row.protocol ?? undefined } : undefined;
  }

  syncgroup(replica: string, collection: string) {
    this.#mustBeCurrent();
    return this.#syncgroups.get(syncgroupKey(replica, collection));
  }

  async setSyncgroup(replica: string, collection: string, members: readonly SyncgroupMember[], version: number) {
    const next = version + 1;
    // Insert only at version 0, update only from `version`: two admins on two nodes can't both win.
    const { rows } = await this.#pool.query(
      `WITH written AS (
         INSERT INTO syncgroups AS s (replica, collection, members, version)
         SELECT $1, $2, $3, $4 WHERE $5::integer = 0
         ON CONFLICT (replica, collection) DO UPDATE SET members = excluded.members, version = excluded.version WHERE s.version = $5
         RETURNING replica
       ), updated AS (
         UPDATE syncgroups SET members = $3, version = $4 WHERE replica = $1 AND collection = $2 AND version = $5 AND $5::integer > 0
         RETURNING replica
       )
       SELECT pg_notify($6, json_build_object('kind', 'syncgroup', 'replica', $1::text, 'collection', $2::text)::text)
       FROM (SELECT replica FROM written UNION ALL SELECT replica FROM updated) AS changed`,
      [replica, collection, JSON.stringify(members), next, version, IDENTITY_CHANNEL],
    );
    if (rows.length === 0) return undefined;
    this.#learnSyncgroup(replica, collection, { members: [...members], version: next });
    return next;
  }

  async createDriver(driver: { id: string; name: string }, now: Date) {
    await this.#pool.query('INSERT INTO drivers (id, name, created_at) VALUES ($1, $2, $3)', [driver.id, driver.name, now.toISOString()]);
  }

  async driver(id: string) {
    const { rows } = await this.#pool.query<DriverRow>('SELECT * FROM drivers WHERE id = $1', [id]);
    return rows[0] ? toDriver(rows[0]) : undefined;
  }

  async drivers() {
    const { rows } = await this.#pool.query<DriverRow>('SELECT * FROM drivers WHERE removed_at IS NULL ORDER BY created_at, id');
    return rows.map(toDriver);
  }

  async removeDriver(id: string, now: Date) {
    const account = driverReplica(id);
    const revoked = await this.#pool.transaction('BEGIN', async (client) => {
      // The lock `registerDevice` takes for the driver's account: a device registered at once waits, then is revoked here or finds the driver removed.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DEVICE_LOCK, account]);
      const removed = await client.query('UPDATE drivers SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL RETURNING id', [
        id,
        now.toISOString(),
      ]);
      if (removed.rows.length === 0) return undefined;
      // Announced in the transaction, as `revoke` does: every node cuts the driver's streams once it commits.
      const { rows } = await client.query<{ name: string }>(
        `WITH revoked AS (UPDATE devices SET revoked_at = $2 WHERE shopper_id = $1 AND revoked_at IS NULL RETURNING name)
         SELECT name, pg_notify($3, json_build_object('kind', 'revoked', 'device', name)::text) FROM revoked`,
        [account, now.toISOString(), IDENTITY_CHANNEL],
      );
      return rows.map((row) => row.name);
    });
    for (const name of revoked ?? []) this.#markRevoked(name);
    return revoked !== undefined;
  }

  async createAccount(account: { email: string; shopperId: string; passwordHash: string }, now: Date) {
    const result = await this.#pool.query(
      'INSERT INTO accounts (email, shopper_id, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [account.email.toLowerCase(), account.shopperId, account.passwordHash, now.toISOString()],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async account(email: string) {
    const { rows } = await this.#pool.query<{ shopper_id: string; password_hash: string }>(
      'SELECT shopper_id, password_hash FROM accounts WHERE email = $1',
      [email.toLowerCase()],
    );
    const row = rows[0];
    return row ? { shopperId: row.shopper_id, passwordHash: row.password_hash } : undefined;
  }

  /** Ready once the listening connection is up and both sets were read again over it. */
  readiness(): Readiness {
    return this.#listener.listening ? { ready: true } : { ready: false, reason: STALE };
  }

  whenReady(timeoutMs: number): Promise<void> {
    return this.#listener.whenListening(timeoutMs);
  }

  async close() {
    this.#events.removeAllListeners();
    await this.#listener.close();
    await this.#pool.end();
  }

  /** A device registered only while its shopper has fewer than `maxActive` others not revoked, under a lock per shopper. */
  async #registerWithin(device: NewDevice, now: Date, maxActive: number): Promise<'registered' | 'revoked' | 'too-many'> {
    return this.#pool.transaction('BEGIN', async (client) => {
      // Two keys: a space apart from the migrations' one-key lock.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DEVICE_LOCK, device.shopperId]);
      const { rows } = await client.query<{ active: string; known: boolean; revoked: boolean }>(
        `SELECT count(*) FILTER (WHERE revoked_at IS NULL) AS active, bool_or(name = $2) AS known, bool_or(name = $2 AND revoked_at IS NOT NULL) AS revoked
         FROM devices WHERE shopper_id = $1`,
        [device.shopperId, device.name],
      );
      const found = rows[0];
      if (found?.revoked) return 'revoked';
      if (!found?.known && Number(found?.active ?? 0) >= maxActive) return 'too-many';
      // As in the statement without a cap: a revocation committed meanwhile by another node is never overwritten.
      const written = await client.query(
        `INSERT INTO devices AS d (name, shopper_id, public_key, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET public_key = excluded.public_key WHERE d.revoked_at IS NULL
         RETURNING name`,
        [device.name, device.shopperId, device.publicKey ? JSON.stringify(device.publicKey) : null, now.toISOString()],
      );
      return written.rows.length === 0 ? 'revoked' : 'registered';
    });
  }

  #mustBeCurrent() {
    if (!this.#listener.listening) throw new PouroverError('UNAVAILABLE', `${STALE}; try again shortly`);
  }

  #markRevoked(name: string) {
    if (this.#revoked.has(name)) return;
    this.#revoked.add(name);
    this.#events.emit('revoked', name);
  }

  /** Keeps the newer of two specs: reads of one row can finish out of order. */
  #learnSyncgroup(replica: string, collection: string, spec: SyncgroupSpec) {
    const key = syncgroupKey(replica, collection);
    if ((this.#syncgroups.get(key)?.version ?? 0) < spec.version) this.#syncgroups.set(key, spec);
  }

  #notified(payload: string) {
    let parsed;
    try {
      parsed = notice.safeParse(JSON.parse(payload));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const change = parsed.data;
    if (change.kind === 'revoked') return this.#markRevoked(change.device);
    // A spec this node failed to read would stay stale unseen: it reads everything again, refusing requests until it has.
    this.#readSyncgroups('WHERE replica = $1 AND collection = $2', [change.replica, change.collection]).catch((error: unknown) =>
      this.#listener.reconnect(error),
    );
  }

  /** Everything the memory holds, read again: at open, and after the listening connection came back. */
  async #reload() {
    const { rows } = await this.#pool.query<{ name: string }>('SELECT name FROM devices WHERE revoked_at IS NOT NULL');
    for (const row of rows) this.#markRevoked(row.name);
    await this.#readSyncgroups('', []);
  }

  async #readSyncgroups(where: string, params: string[]) {
    const { rows } = await this.#pool.query<{ replica: string; collection: string; members: string; version: number }>(
      `SELECT replica, collection, members, version FROM syncgroups ${where}`,
      params,
    );
    for (const row of rows)
      this.#learnSyncgroup(row.replica, row.collection, {
        members: storedMembers.parse(JSON.parse(row.members)) as SyncgroupMember[],
        version: row.version,
      });
  }
}

/**
 * Records the first node's public key and refuses a node that signs with
 * another: its blessings would be refused by every other node, so a device
 * would be signed out whenever the balancer sent it elsewhere.
 */
async function agreeOnServerKey(client: ClientBase, publicKey: string) {
  await client.query('INSERT INTO server_key (public_key) VALUES ($1) ON CONFLICT DO NOTHING', [publicKey]);
  const { rows } = await client.query<{ public_key: string }>('SELECT public_key FROM server_key');
  if (rows[0]?.public_key !== publicKey) {
    throw new Error(
      'this node signs with another key than the nodes already on this database; give every node the same key (--key-file or POUROVER_KEY_FILE)',
    );
  }
}
