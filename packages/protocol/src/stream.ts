import { z } from 'zod';
import { collectionName, checkpoint, wireDocument } from './sync.ts';

/**
 * A position in a device's live stream: how far it has read the shopper's
 * replica and the store's replica. Sent as the tracked event id, so a
 * dropped connection resumes where it left off.
 */
export const streamPosition = z.object({ own: z.number().int().min(0), store: z.number().int().min(0) }).strict();
export type StreamPosition = z.infer<typeof streamPosition>;

export function encodePosition(position: StreamPosition): string {
  return `${position.own}.${position.store}`;
}

export function decodePosition(id: string): StreamPosition | undefined {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(id);
  if (!match) return undefined;
  return { own: Number(match[1]), store: Number(match[2]) };
}

/**
 * What a live stream sends. `ready` comes first on a fresh connection, once
 * the server is listening: from then on no change is missed, so the device
 * pulls everything before it. `changes` carries the documents one commit
 * changed in one collection, with the checkpoint after them.
 */
export const streamEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
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
    lastEventId: z
      .string()
      .regex(/^\d{1,15}\.\d{1,15}$/, 'not a stream position')
      .nullish(),
  })
  .strict();
