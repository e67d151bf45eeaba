import { z } from 'zod';
import { cents, docId, isoTime } from './primitives.ts';

/**
 * Where an order stands. `placing` is a draft the device has placed and the
 * server has not yet moved; from `received` on it is a processed order, which
 * the store moves through its fulfilment (`preparing`, `ready`,
 * `outForDelivery`) to one final state: `delivered`, `cancelled` or `rejected`.
 * An order the store's setting holds for the owner's approval is processed
 * as `awaitingApproval` (charged, its slot place taken) and approved to
 * `received`, or rejected.
 */
export const orderStatuses = [
  'draft',
  'placing',
  'placed',
  'awaitingApproval',
  'received',
  'preparing',
  'ready',
  'outForDelivery',
  'delivered',
  'cancelled',
  'rejected',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** The statuses no order leaves. */
export const finalStatuses: readonly OrderStatus[] = ['delivered', 'cancelled', 'rejected'];

/** One step of an order's fulfilment: the status it entered and when, by the server's clock. */
export const orderStep = z.object({ status: z.enum(orderStatuses), at: isoTime }).strict();
export type OrderStep = z.infer<typeof orderStep>;

/** The most of one item an order may hold. */
export const MAX_ITEM_COUNT = 99;

export const orderLine = z
  .object({
    itemId: docId,
    count: z.number().int().min(1).max(MAX_ITEM_COUNT),
    /** The item's price when the order was placed; set by the server on placed orders only. */
    unitCents: cents.optional(),
  })
  .strict();

/** Why the server did not place a draft the shopper placed, and when; set by the server only, cleared by the draft's next write. */
export const placingRefusal = z.object({ reason: z.string().max(500), at: isoTime }).strict();

/**
 * One order, in whichever collection it lives. `lines`, `itemCount` and
 * `totalCents` are derived from the Yjs document in `ydoc` (a base64 encoded
 * update) so they can be queried; they are never edited apart from it.
 */
export const order = z
  .object({
    id: docId,
    status: z.enum(orderStatuses),
    lines: z.array(orderLine).max(100),
    itemCount: z.number().int().min(0).max(9_900),
    totalCents: cents,
    note: z.string().max(1_000),
    slotId: z.union([docId, z.null()]),
    ydoc: z.string().max(262_144),
    createdTime: isoTime,
    placedTime: isoTime.optional(),
    receivedTime: isoTime.optional(),
    rejectReason: z.string().max(500).optional(),
    /** When an order awaiting the owner's approval is rejected if not approved; set by the server only. */
    approveBy: isoTime.optional(),
    /** The steps of a processed order, oldest first; written by the server only. */
    steps: z.array(orderStep).max(16).optional(),
    /** Why the order was cancelled, and by whom: the shopper's request or the store. */
    cancelReason: z.string().max(500).optional(),
    cancelledBy: z.enum(['shopper', 'store']).optional(),
    /** The driver (`bluebottle:drivers:<id>` id) the store assigned the delivery to. */
    driverId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a driver id is one blessing component')
      .optional(),
    /** When the charge of a cancelled or rejected order was given back. */
    refundedTime: isoTime.optional(),
    /** Set on a draft the server made of edits that reached it after this order was placed. */
    splitFrom: docId.optional(),
    /**
     * The payment method the order is charged with: on a placing draft, the
     * one the shopper saw; on a placed order, the one the server recorded.
     */
    paymentToken: z.string().max(200).optional(),
    refusal: placingRefusal.optional(),
  })
  .strict();

export type Order = z.infer<typeof order>;
export type OrderLine = z.infer<typeof orderLine>;
export type PlacingRefusal = z.infer<typeof placingRefusal>;
