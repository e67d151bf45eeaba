import { z } from 'zod';
import { docId } from './primitives.ts';

/**
 * A shopper's profile. `paymentToken` is the token of a payment provider,
 * never a card number.
 */
export const userProfile = z
  .object({
    id: docId,
    name: z.string().max(120),
    email: z.string().max(254),
    address: z.string().max(500),
    paymentToken: z.string().max(200),
  })
  .strict();

export type UserProfile = z.infer<typeof userProfile>;
