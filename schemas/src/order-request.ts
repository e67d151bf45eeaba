import { z } from 'zod';
import { docId, isoTime } from './primitives.ts';

/** How the server answered a shopper's request, and when; set by the server only. */
export const requestAnswer = z.object({ outcome: z.enum(['accepted', 'refused']), reason: z.string().max(500), at: isoTime }).strict();

/**
 * A shopper's request about one of their orders, written on a device (online
 * or offline) and answered by the server once, when it arrives: today, to
 * cancel the order. Its id is the order's.
 */
export const orderRequest = z
  .object({
    id: docId,
    kind: z.literal('cancel'),
    /** The shopper's own words, if any. */
    reason: z.string().max(500).optional(),
    answer: requestAnswer.optional(),
  })
  .strict();

export type OrderRequest = z.infer<typeof orderRequest>;
export type RequestAnswer = z.infer<typeof requestAnswer>;
