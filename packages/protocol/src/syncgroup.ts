import { blessingName, replicaName } from '@pourover/schemas';
import { z } from 'zod';
import { collectionName } from './sync.ts';

export const grants = ['read', 'write', 'batch', 'place', 'admin'] as const;

/** A member pattern: `$owner` (the replica's own shopper), a blessing name (and all its extensions), or a name ending `:$` (exactly). */
export const memberPattern = z
  .string()
  .max(302)
  .refine((pattern) => pattern === '$owner' || blessingName.safeParse(pattern.replace(/:\$$/, '')).success, 'not a blessing pattern');

export const syncgroupMember = z.object({ pattern: memberPattern, grants: z.array(z.enum(grants)).min(1).max(5).readonly() }).strict();

export const syncgroupRequest = z.object({ collection: collectionName, replica: replicaName.optional() }).strict();

/** Replaces a syncgroup's members if it is still at `version` (as read), so two admins never overwrite each other unseen. */
export const setSyncgroupRequest = z
  .object({
    collection: collectionName,
    replica: replicaName.optional(),
    members: z.array(syncgroupMember).min(1).max(100).readonly(),
    version: z.number().int().min(0),
  })
  .strict();
