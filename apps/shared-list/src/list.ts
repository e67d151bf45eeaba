import { docId, OWNER_PATTERN, type CollectionSpec } from '@pourover/schemas';
import { z } from 'zod';

/** One entry of a list, as derived from the list's Yjs document. */
export const listItem = z.object({ id: z.string().min(1).max(36), text: z.string().max(500), done: z.boolean() });
export type ListItem = z.infer<typeof listItem>;

/**
 * A shopping list. Its content lives in `ydoc` (base64 of a Yjs update: a
 * title and a map of items), so edits made on two devices offline merge;
 * `title` and `items` are derived from it, by the server and by each device.
 */
export const shoppingList = z.object({
  id: docId,
  title: z.string().max(200),
  items: z.array(listItem).max(1_000),
  ydoc: z.string().max(262_144),
});
export type ShoppingList = z.infer<typeof shoppingList>;

/** The app's one collection: each user's lists, in their own replica, written by their devices and merged with Yjs. */
export const lists: CollectionSpec & { name: 'lists' } = {
  name: 'lists',
  schema: shoppingList,
  primaryKey: 'id',
  home: 'shopper',
  conflict: 'yjs-merge',
  syncgroup: [{ pattern: OWNER_PATTERN, grants: ['read', 'write', 'admin'] }],
};

export const listCollections = { lists } as const;
