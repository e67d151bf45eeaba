import { EventEmitter } from 'node:events';
import { openDurableFile } from '@pourover/durable-sqlite';
import { driverReplica, type SyncgroupMember } from '@pourover/schemas';
import type Database from 'better-sqlite3';
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
import { MemoryStreamTickets, type StreamGrant } from './stream-tickets.ts';

/** Forward-only schema versions of the identity file; `user_version` records how many have run. Never edit a shipped entry. */
export const identityMigrations: readonly string[] = [
  `CREATE TABLE accounts (email TEXT PRIMARY KEY, shopper_id TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE devices (name TEXT PRIMARY KEY, shopper_id TEXT NOT NULL, public_key TEXT, created_at TEXT NOT NULL, revoked_at TEXT);
   CREATE INDEX devices_by_shopper ON devices (shopper_id);
   CREATE TABLE pairing_codes (code_hash TEXT PRIMARY KEY, shopper_id TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);`,
  `CREATE TABLE syncgroups (replica TEXT NOT NULL, collection TEXT NOT NULL, members TEXT NOT NULL, version INTEGER NOT NULL,
     PRIMARY KEY (replica, collection)) WITHOUT ROWID;`,
  `CREATE TABLE drivers (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, removed_at TEXT);`,
];

type DeviceRow = { name: string; shopper_id: string; public_key: string | null; created_at: string; revoked_at: string | null };
const toDevice = (row: DeviceRow): DeviceRecord => ({
  name: row.name,
  shopperId: row.shopper_id,
  publicKey: row.public_key ? (JSON.parse(row.public_key) as JsonWebKey) : null,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

type DriverRow = { id: string; name: string; created_at: string; removed_at: string | null };
const toDriver = (row: DriverRow): DriverRecord => ({ id: row.id, name: row.name, createdAt: row.created_at, removedAt: row.removed_at });

/** The embedded server's identities: a SQLite file of their own beside the data store, read and written by one server. */
export class SqliteIdentityStore implements IdentityStore {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  /** Revoked device names, kept in memory: every request is checked against it. */
  readonly #revoked = new Set<string>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #tickets = new MemoryStreamTickets();
  /** Every syncgroup set, kept in memory: every request reads its collection's; only `setSyncgroup` changes them. */
  readonly #syncgroups = new Map<string, SyncgroupSpec>();

  constructor(file: string) {
    this.#db = openDurableFile(file);
    // `pourover-server owner-code` writes a code into this file while the server runs.
    this.#db.pragma('busy_timeout = 5000');
    const applied = this.#db.pragma('user_version', { simple: true }) as number;
    if (applied > identityMigrations.length)
      throw new Error(`the identity file has schema version ${applied}, newer than this server knows`);
    identityMigrations.slice(applied).forEach((sql, index) =>
      this.#db.transaction(() => {
        this.#db.exec(sql);
        this.#db.pragma(`user_version = ${applied + index + 1}`);
      })(),
    );
    for (const row of this.#db.prepare<[], { name: string }>('SELECT name FROM devices WHERE revoked_at IS NOT NULL').all())
      this.#revoked.add(row.name);
    const syncgroups = this.#db.prepare<[], { replica: string; collection: string; members: string; version: number }>(
      'SELECT replica, collection, members, version FROM syncgroups',
    );
    for (const row of syncgroups.all())
      this.#syncgroups.set(syncgroupKey(row.replica, row.collection), {
        members: JSON.parse(row.members) as SyncgroupMember[],
        version: row.version,
      });
  }

  isRevoked(name: string): boolean {
    return this.#revoked.has(name);
  }

  onRevoked(listener: (name: string) => void) {
    this.#events.on('revoked', listener);
    return () => void this.#events.off('revoked', listener);
  }

  async registerDevice(device: NewDevice, now: Date, limit?: { maxActive: number }) {
    if (this.#revoked.has(device.name)) return 'revoked' as const;
    const register = this.#db.transaction(() => {
      const known = this.#db.prepare<[string], { name: string }>('SELECT name FROM devices WHERE name = ?').get(device.name);
      if (!known && limit) {
        const active = this.#db
          .prepare<[string], { n: number }>('SELECT count(*) AS n FROM devices WHERE shopper_id = ? AND revoked_at IS NULL')
          .get(device.shopperId);
        if ((active?.n ?? 0) >= limit.maxActive) return 'too-many' as const;
      }
      this.#db
        .prepare(
          `INSERT INTO devices (name, shopper_id, public_key, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET public_key = excluded.public_key`,
        )
        .run(device.name, device.shopperId, device.publicKey ? JSON.stringify(device.publicKey) : null, now.toISOString());
      return 'registered' as const;
    });
    return register.immediate();
  }

  async device(name: string) {
    const row = this.#db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE name = ?').get(name);
    return row ? toDevice(row) : undefined;
  }

  async devices(shopperId: string) {
    return this.#db
      .prepare<[string], DeviceRow>('SELECT * FROM devices WHERE shopper_id = ? ORDER BY created_at')
      .all(shopperId)
      .map(toDevice);
  }

  async revoke(name: string, now: Date) {
    const changed =
      this.#db.prepare('UPDATE devices SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(now.toISOString(), name).changes > 0;
    if (changed) {
      this.#revoked.add(name);
      this.#events.emit('revoked', name);
    }
    return changed;
  }

  async createPairingCode(shopperId: string, ttlMs: number, now: Date) {
    const code = newPairingCode();
    this.#db
      .prepare('INSERT INTO pairing_codes (code_hash, shopper_id, expires_at) VALUES (?, ?, ?)')
      .run(hashPairingCode(code), shopperId, now.getTime() + ttlMs);
    return code;
  }

  async redeemPairingCode(code: string, now: Date) {
    const redeem = this.#db.transaction((): Redemption => {
      const row = this.#db
        .prepare<[string], { shopper_id: string; expires_at: number; used_at: number | null }>(
          'SELECT shopper_id, expires_at, used_at FROM pairing_codes WHERE code_hash = ?',
        )
        .get(hashPairingCode(code));
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.used_at !== null) return { ok: false, reason: 'used' };
      if (row.expires_at <= now.getTime()) return { ok: false, reason: 'expired' };
      this.#db.prepare('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ?').run(now.getTime(), hashPairingCode(code));
      return { ok: true, shopperId: row.shopper_id };
    });
    return redeem.immediate();
  }

  async createStreamTicket(grant: StreamGrant, ttlMs: number, now: Date) {
    return this.#tickets.create(grant, ttlMs, now);
  }

  async redeemStreamTicket(ticket: string, now: Date) {
    return this.#tickets.redeem(ticket, now);
  }

  syncgroup(replica: string, collection: string): SyncgroupSpec | undefined {
    return this.#syncgroups.get(syncgroupKey(replica, collection));
  }

  async setSyncgroup(replica: string, collection: string, members: readonly SyncgroupMember[], version: number) {
    const write = this.#db.transaction((): number | undefined => {
      const current = this.syncgroup(replica, collection)?.version ?? 0;
      if (current !== version) return undefined;
      this.#db
        .prepare(
          `INSERT INTO syncgroups (replica, collection, members, version) VALUES (?, ?, ?, ?)
           ON CONFLICT (replica, collection) DO UPDATE SET members = excluded.members, version = excluded.version`,
        )
        .run(replica, collection, JSON.stringify(members), version + 1);
      return version + 1;
    });
    const next = write.immediate();
    if (next !== undefined) this.#syncgroups.set(syncgroupKey(replica, collection), { members: [...members], version: next });
    return next;
  }

  async createDriver(driver: { id: string; name: string }, now: Date) {
    this.#db.prepare('INSERT INTO drivers (id, name, created_at) VALUES (?, ?, ?)').run(driver.id, driver.name, now.toISOString());
  }

  async driver(id: string) {
    const row = this.#db.prepare<[string], DriverRow>('SELECT * FROM drivers WHERE id = ?').get(id);
    return row ? toDriver(row) : undefined;
  }

  async drivers() {
    return this.#db.prepare<[], DriverRow>('SELECT * FROM drivers WHERE removed_at IS NULL ORDER BY created_at, id').all().map(toDriver);
  }

  async removeDriver(id: string, now: Date) {
    const remove = this.#db.transaction((): string[] | undefined => {
      const at = now.toISOString();
      if (this.#db.prepare('UPDATE drivers SET removed_at = ? WHERE id = ? AND removed_at IS NULL').run(at, id).changes === 0)
        return undefined;
      return this.#db
        .prepare<[string, string], { name: string }>(
          'UPDATE devices SET revoked_at = ? WHERE shopper_id = ? AND revoked_at IS NULL RETURNING name',
        )
        .all(at, driverReplica(id))
        .map((row) => row.name);
    });
    const revoked = remove.immediate();
    for (const name of revoked ?? []) {
      this.#revoked.add(name);
      this.#events.emit('revoked', name);
    }
    return revoked !== undefined;
  }

  async createAccount(account: { email: string; shopperId: string; passwordHash: string }, now: Date) {
    const result = this.#db
      .prepare('INSERT INTO accounts (email, shopper_id, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(account.email.toLowerCase(), account.shopperId, account.passwordHash, now.toISOString());
    return result.changes > 0;
  }

  async account(email: string) {
    const row = this.#db
      .prepare<[string], { shopper_id: string; password_hash: string }>('SELECT shopper_id, password_hash FROM accounts WHERE email = ?')
      .get(email.toLowerCase());
    return row ? { shopperId: row.shopper_id, passwordHash: row.password_hash } : undefined;
  }

  /** Its memory is the file's, read in this process: always current. */
  readiness(): Readiness {
    return { ready: true };
  }

  async whenReady() {}

  async close() {
    this.#events.removeAllListeners();
    this.#db.close();
  }
}
