import { z } from 'zod';
import { cents, docId, isoTime } from './primitives.ts';

/**
 * Where a delivery stands for its driver: `assigned` by the store,
 * `pickedUp` and `delivered` as the driver marks them, or `withdrawn` when
 * the order was cancelled or given to another driver.
 */
export const deliveryStatuses = ['assigned', 'pickedUp', 'delivered', 'withdrawn'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * What a driver holds of one order to deliver it, in the driver's own
 * replica: the customer's name, address and note, the items, the slot. The
 * server writes it when the store assigns the order; the driver changes its
 * status only. Its id is the order's.
 */
export const delivery = z
  .object({
    id: docId,
    /** The shopper's replica the order lives in. */
    orderReplica: z.string().max(120),
    customerName: z.string().max(120),
    address: z.string().max(500),
    note: z.string().max(1_000),
    items: z.array(z.object({ name: z.string().max(200), count: z.number().int().min(1).max(99) }).strict()).max(100),
    totalCents: cents,
    slotStart: z.union([isoTime, z.null()]),
    slotEnd: z.union([isoTime, z.null()]),
    status: z.enum(deliveryStatuses),
    /** Each status the delivery entered and when, by the server's clock. */
    steps: z.array(z.object({ status: z.enum(deliveryStatuses), at: isoTime }).strict()).max(8),
    withdrawnReason: z.string().max(500).optional(),
  })
  .strict();

export type Delivery = z.infer<typeof delivery>;
