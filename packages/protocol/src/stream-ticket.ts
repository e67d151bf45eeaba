import { z } from 'zod';

/** A stream ticket: 32 random bytes, base64url. */
export const streamTicket = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a stream ticket is 43 base64url characters');

/**
 * What a live stream (`sync.stream`, `sync.watch`) sends as tRPC's
 * `connectionParams`, which travel in its URL: a single-use ticket from
 * `auth.streamTicket`, fetched with the device's bearer header just before
 * each connection. Never a token: a URL is kept by proxies and access logs.
 */
export const streamConnectionParams = z.object({ ticket: streamTicket }).strict();
export type StreamConnectionParams = z.infer<typeof streamConnectionParams>;

/** `auth.streamTicket`'s answer. */
export const streamTicketGrant = z.object({ ticket: streamTicket, expiresInSeconds: z.number().int().positive() }).strict();
export type StreamTicketGrant = z.infer<typeof streamTicketGrant>;
