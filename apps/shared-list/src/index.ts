/** The shared shopping list, on a device (`@pourover/shared-list`); its server rules are at `@pourover/shared-list/server`. */
export { shoppingList, listItem, listCollections, type ShoppingList, type ListItem } from './list.ts';
export { editList, listFields, mergeLists, type ListEdit } from './list-doc.ts';
export { sharedListDeviceApp, listMerge, type ListReplica } from './device-app.ts';
