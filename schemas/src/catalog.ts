import { z } from 'zod';
import { cents, contentHash, docId } from './primitives.ts';

export const catalogKinds = ['coffee', 'accessory'] as const;

/** An item the store sells. Owned by the store; every shopper device holds a read-only copy. */
export const catalogItem = z
  .object({
    id: docId,
    name: z.string().min(1).max(80),
    description: z.string().max(500),
    kind: z.enum(catalogKinds),
    priceCents: cents,
    image: contentHash,
    available: z.boolean(),
  })
  .strict();

export type CatalogItem = z.infer<typeof catalogItem>;
