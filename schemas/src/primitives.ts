import { z } from 'zod';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ulid = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A document id: a lower-case UUID or a ULID. */
export const docId = z
  .string()
  .max(36)
  .regex(new RegExp(`${uuid.source}|${ulid.source}`), 'expected a UUID or a ULID');

/** An instant as an ISO-8601 UTC string with milliseconds, e.g. `2026-11-23T10:00:00.000Z`. */
export const isoTime = z
  .string()
  .max(24)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected an ISO-8601 UTC time');

/** Money in integer cents; one order never exceeds a million dollars. */
export const cents = z.number().int().min(0).max(100_000_000);

/** A SHA-256 content hash in lower-case hex. */
export const contentHash = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hex digest');

export type DocId = z.infer<typeof docId>;
export type IsoTime = z.infer<typeof isoTime>;
