import { createHash, randomInt } from 'node:crypto';
import type { SyncgroupMember } from '@pourover/schemas';
import type { Readiness } from '../store/store.ts';
import type { StreamGrant } from './stream-tickets.ts';

/**
 * A device: a shopper's, a driver's or one of the store owner's. `shopperId` is the account it belongs to
 * (and its devices are counted and listed by): a shopper's id, a driver's replica name (`<store>:drivers:<id>`),
 * or the store's own name for the owner's devices.
 */
export type DeviceRecord = { name: string; shopperId: string; publicKey: JsonWebKey | null; createdAt: string; revokedAt: string | null };
/** A redeemed pairing code names the account it was made for (as `DeviceRecord.shopperId` does). */
export type Redemption = { ok: true; shopperId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };
export type NewDevice = { name: string; shopperId: string; publicKey: JsonWebKey | null };
/** A driver the store added; a removed one keeps its record (its name in what it did), its devices revoked. */
export type DriverRecord = { id: string; name: string; createdAt: string; removedAt: string | null };
export type SyncgroupSpec = { members: SyncgroupMember[]; version: number };

/** The key a store keeps a syncgroup spec under in memory. */
export const syncgroupKey = (replica: string, collection: string) => JSON.stringify([replica, collection]);

/**
 * Who may hold blessings: shoppers' accounts, their devices (with the public
 * key each proves itself with, and whether it was revoked), pairing codes
 * (kept only as hashes) and the syncgroup specs admins set. A SQLite file
 * beside the embedded store, or tables in the PostgreSQL database that every
 * server node shares. Every implementation passes `identity-conformance.ts`.
 *
 * The two reads every request makes, `isRevoked` and `syncgroup`, answer from
 * memory; a store shared by several nodes keeps that memory current with the
 * other nodes' changes and calls `onRevoked` for theirs as for its own.
 * While it cannot be sure its memory is current (it lost the connection that
 * tells it of changes, and has not read them all again since), both refuse
 * with the retryable `UNAVAILABLE` rather than answer from a stale set.
 */
export interface IdentityStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Whether a device was revoked; throws `UNAVAILABLE` while the store cannot be sure. */
  isRevoked(name: string): boolean;
  /** Calls `listener` with each device name revoked from now on, through this server or another. */
  onRevoked(listener: (name: string) => void): () => void;
  /**
   * Records a device (or gives it a new key); a revoked device name stays revoked. With
   * `maxActive`, a new device of a shopper who has that many not revoked is refused
   * (`too-many`), decided atomically, so two sign-ins at once on two nodes can't both pass.
   */
  registerDevice(device: NewDevice, now: Date, limit?: { maxActive: number }): Promise<'registered' | 'revoked' | 'too-many'>;
  device(name: string): Promise<DeviceRecord | undefined>;
  devices(shopperId: string): Promise<DeviceRecord[]>;
  /** Revokes a device; false if it was already revoked or is unknown. */
  revoke(name: string, now: Date): Promise<boolean>;
  /** A fresh single-use pairing code for a shopper, valid for `ttlMs`. */
  createPairingCode(shopperId: string, ttlMs: number, now: Date): Promise<string>;
  /** Uses up a pairing code, once: the first redemption wins, later ones and late ones are refused. */
  redeemPairingCode(code: string, now: Date): Promise<Redemption>;
  /** A single-use stream ticket for the blessing `grant.holder` at `grant.protocol`, good for `ttlMs` (see stream-tickets.ts). */
  createStreamTicket(grant: StreamGrant, ttlMs: number, now: Date): Promise<string>;
  /** Uses up a stream ticket: what it was made for the first time, before it expires; undefined ever after. */
  redeemStreamTicket(ticket: string, now: Date): Promise<StreamGrant | undefined>;
  /** A syncgroup's stored spec, if an admin ever changed it from the default; throws `UNAVAILABLE` while the store cannot be sure. */
  syncgroup(replica: string, collection: string): SyncgroupSpec | undefined;
  /** Replaces a syncgroup's spec if it is still at `version`; returns the new version, or undefined if it moved on. */
  setSyncgroup(replica: string, collection: string, members: readonly SyncgroupMember[], version: number): Promise<number | undefined>;
  /** Records a new driver. */
  createDriver(driver: { id: string; name: string }, now: Date): Promise<void>;
  driver(id: string): Promise<DriverRecord | undefined>;
  /** The drivers not removed, oldest first. */
  drivers(): Promise<DriverRecord[]>;
  /**
   * Removes a driver and, in the same transaction, revokes every device of theirs (listeners told of each);
   * false if unknown or removed already. Serialized with `registerDevice` under a cap for the driver's account,
   * so a device registered as the driver is removed is either revoked here or finds the driver removed after.
   */
  removeDriver(id: string, now: Date): Promise<boolean>;
  /** Creates an account; false, and nothing written, if one with this email or for this shopper exists (asked at once too). */
  createAccount(account: { email: string; shopperId: string; passwordHash: string }, now: Date): Promise<boolean>;
  account(email: string): Promise<{ shopperId: string; passwordHash: string } | undefined>;
  /** Whether `isRevoked` and `syncgroup` answer now. */
  readiness(): Readiness;
  /** Resolves once they do, or after `timeoutMs`, whichever comes first. */
  whenReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Letters and digits that can't be misread for each other (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export const newPairingCode = () => Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

/** Codes are stored only as hashes, so a copy of the identity data can't be used to pair a device. */
export const hashPairingCode = (code: string) => createHash('sha256').update(code.toUpperCase()).digest('hex');
