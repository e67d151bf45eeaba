import { createHash, randomBytes } from 'node:crypto';

/**
 * Stream tickets: what a live stream opens with instead of the device's
 * token, so no lasting credential travels in a URL (where proxies and access
 * logs keep it). A device fetches one with its bearer header just before
 * each (re)connection; it is good for a few seconds and for one stream.
 */
export const newStreamTicket = () => randomBytes(32).toString('base64url');

/** Tickets are kept only as hashes, so the stored rows open no stream. */
export const hashStreamTicket = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/** The tickets of a single node (the embedded SQLite server), in memory: a restart only makes its devices fetch new ones. */
export class MemoryStreamTickets {
  readonly #tickets = new Map<string, { holder: string; expiresAt: number }>();

  create(holder: string, ttlMs: number, now: Date): string {
    // Made in expiry order (one lifetime for all), so the expired ones are the first.
    for (const [hash, ticket] of this.#tickets) {
      if (ticket.expiresAt > now.getTime()) break;
      this.#tickets.delete(hash);
    }
    const ticket = newStreamTicket();
    this.#tickets.set(hashStreamTicket(ticket), { holder, expiresAt: now.getTime() + ttlMs });
    return ticket;
  }

  redeem(ticket: string, now: Date): string | undefined {
    const hash = hashStreamTicket(ticket);
    const found = this.#tickets.get(hash);
    this.#tickets.delete(hash);
    return found && found.expiresAt > now.getTime() ? found.holder : undefined;
  }
}
