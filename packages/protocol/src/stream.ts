import { z } from 'zod';
import { collectionName, checkpoint, epoch, wireDocument } from './sync.ts';

/**
 * A position in a device's live stream: how far it has read the shopper's
 * replica and the store's replica. Sent as the tracked event id, so a
 * dropped connection resumes where it left off.
 */
export const streamPosition = z.object({ own: z.number().int().min(0), store: z.number().int().min(0), epoch: epoch.optional() }).strict();
export type StreamPosition = z.infer<typeof streamPosition>;

const POSITION = /^(\d{1,15})\.(\d{1,15})(?:\.([0-9a-f]{16}))?$/;

export function encodePosition(position: StreamPosition): string {
  return position.epoch === undefined ? `${position.own}.${position.store}` : `${position.own}.${position.store}.${position.epoch}`;
}

export function decodePosition(id: string): StreamPosition | undefined {
  const match = POSITION.exec(id);
  if (!match) return undefined;
  return { own: Number(match[1]), store: Number(match[2]), ...(match[3] ? { epoch: match[3] } : {}) };
}

/**
 * What a live stream sends. `ready` comes first on a fresh connection, once
 * the server is listening: from then on no change is missed, so the device
 * pulls everything before it. It names the store's epoch: a device that holds
 * another's checkpoints pulls from scratch. `changes` carries the documents
 * one commit changed in one collection, with the checkpoint after them.
 */
export const streamEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), epoch: epoch.optional() }),
  z.object({
    kind: z.literal('changes'),
    collection: collectionName,
    documents: z.array(wireDocument),
    /** `seqs[i]`: where `documents[i]` stands in its replica's change log. */
    seqs: z.array(z.number().int().min(0)),
    checkpoint,
  }),
]);
export type StreamEvent = z.infer<typeof streamEvent>;

export const streamInput = z
  .object({
    lastEventId: z.string().regex(POSITION, 'not a stream position').nullish(),
  })
  .strict();
