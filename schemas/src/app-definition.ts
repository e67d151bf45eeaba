import type { z } from 'zod';

/**
 * What the sync engine needs to know of an app: its collections, each with
 * a schema, a home, a conflict rule and default syncgroup. The engine's
 * packages take one of these and know nothing of any app's documents.
 */

/**
 * What a member of a syncgroup may do. `write` covers pushes of single
 * documents; `batch` covers atomic batches; `place` marks a collection the
 * member reads but that only the server's own moves write.
 */
export type Grant = 'read' | 'write' | 'batch' | 'place' | 'admin';

/**
 * A syncgroup member: a blessing pattern, where `$owner` stands for the
 * blessing that names the replica (so it matches every device of its owner).
 */
export type SyncgroupMember = { pattern: string; grants: readonly Grant[] };

/**
 * How a device resolves a conflict the server reports:
 * - `field-lww`: fields changed on the device are laid over the server's
 *   state, so the later server-accepted write of a field wins;
 * - `yjs-merge`: the app's merge of both states (a Yjs merge, say), which the
 *   app gives the device, as the server's push hook merges alike;
 * - `server-wins`: the server's state replaces the device's.
 */
export type ConflictRule = 'field-lww' | 'yjs-merge' | 'server-wins';

/**
 * `shopper`: one copy in each user's own replica; `driver`: one copy in each
 * driver's own replica; `store`: one copy in the root replica, read by all.
 */
export type Home = 'shopper' | 'driver' | 'store';

export type CollectionSpec = {
  name: string;
  schema: z.ZodObject;
  primaryKey: 'id';
  home: Home;
  conflict: ConflictRule;
  syncgroup: readonly SyncgroupMember[];
};

/** A document of one schema version made into one of the next; `null` drops it. */
export type DocumentMigration = (document: Record<string, unknown>) => Record<string, unknown> | null;

/** An app's collections by name. */
export type AppCollections = { readonly [name: string]: CollectionSpec };

/** The pattern that stands for a replica's own user in its syncgroups. */
export const OWNER_PATTERN = '$owner';

/**
 * Whether a user's devices write `spec`'s collection themselves (and push
 * it), rather than only read it: the owner's syncgroup member may `write`.
 * The other collections change only on the server, so a device holds them
 * read-only.
 */
export function ownerWrites(spec: CollectionSpec): boolean {
  return spec.syncgroup.some((member) => member.pattern === OWNER_PATTERN && member.grants.includes('write'));
}
