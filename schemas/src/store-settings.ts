import { z } from 'zod';
import { cents } from './primitives.ts';

/** The id of the store's one settings document. */
export const STORE_SETTINGS_ID = 'store';

/** The longest an order may wait for the owner's approval: a day. */
export const MAX_APPROVAL_MINUTES = 24 * 60;

/**
 * The store's settings, one document (`id` is `store`) that only the store
 * reads and writes. Orders whose total is above `approvalAboveCents` wait for
 * the owner's approval, for at most `approvalMinutes`, then are rejected and
 * refunded; `null` holds no order.
 */
export const storeSettings = z
  .object({
    id: z
      .string()
      .max(8)
      .regex(/^store$/, 'the store has one settings document, whose id is "store"'),
    approvalAboveCents: z.union([cents, z.null()]),
    approvalMinutes: z
      .number()
      .int('the wait for approval is whole minutes')
      .min(1, 'an order waits at least 1 minute for approval')
      .max(MAX_APPROVAL_MINUTES, 'an order waits at most 24 hours (1,440 minutes) for approval'),
  })
  .strict();
export type StoreSettings = z.infer<typeof storeSettings>;

/** The reason a shopper reads on an order the owner did not answer in time; the server lets it be given only once the wait is over. */
export const NOT_APPROVED_IN_TIME = 'the store did not approve the order in time';

/** What the store holds when the owner never saved its settings: no order waits. */
export const defaultStoreSettings: StoreSettings = { id: STORE_SETTINGS_ID, approvalAboveCents: null, approvalMinutes: 30 };

/** Whether the settings hold an order of this total for the owner's approval. */
export function needsApproval(settings: StoreSettings, totalCents: number): boolean {
  return settings.approvalAboveCents !== null && totalCents > settings.approvalAboveCents;
}
