import { z } from 'zod';
import { docId, isoTime } from './primitives.ts';

/** A delivery slot the store publishes. `taken` never exceeds `capacity`; no order lands after `cutoff`. */
export const deliverySlot = z
  .object({
    id: docId,
    start: isoTime,
    end: isoTime,
    capacity: z.number().int().min(0).max(10_000),
    taken: z.number().int().min(0).max(10_000),
    cutoff: isoTime,
    /** The weekly schedule row the processor generated this slot from; absent on a slot the owner made by hand. */
    scheduleId: docId.optional(),
  })
  .strict();

export type DeliverySlot = z.infer<typeof deliverySlot>;
