import { createHash, randomBytes } from 'node:crypto';

/**
 * Stream tickets: what a live stream opens with instead of the device's
 * token, so no lasting credential travels in a URL (where proxies and access
 * logs keep it). A device fetches one with its bearer header just before
 * each (re)connection; it is good for a few seconds and for one stream.
 */
export const newStreamTicket = () => randomBytes(32).toString('base64url');

/**
 * What a ticket opens a stream as: its holder's blessing name, and the protocol the ticket's request was served at
 * (undefined for a client that names none), so the stream's node can refuse a protocol it no longer serves, as it
 * would the request itself: the stream's own request carries no headers from a browser.
 */
export type StreamGrant = { holder: string; protocol: number | undefined };

/** Tickets are kept only as hashes, so the stored rows open no stream. */
export const hashStreamTicket = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/** The tickets of a single node (the embedded SQLite server), in memory: a restart only makes its devices fetch new ones. */
export class MemoryStreamTickets {
  readonly #tickets = new Map<string, StreamGrant & { expiresAt: number }>();

  create(grant: StreamGrant, ttlMs: number, now: Date): string {
    // Made in expiry order (one lifetime for all), so the expired ones are the first.
    for (const [hash, ticket] of this.#tickets) {
      if (ticket.expiresAt > now.getTime()) break;
      this.#tickets.delete(hash);
    }
    const ticket = newStreamTicket();
    this.#tickets.set(hashStreamTicket(ticket), { ...grant, expiresAt: now.getTime() + ttlMs });
    return ticket;
  }

  redeem(ticket: string, now: Date): StreamGrant | undefined {
    const hash = hashStreamTicket(ticket);
    const found = this.#tickets.get(hash);
    this.#tickets.delete(hash);
    return found && found.expiresAt > now.getTime() ? { holder: found.holder, protocol: found.protocol } : undefined;
  }
}
