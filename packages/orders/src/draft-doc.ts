/**
 * The Yjs draft editing, loaded when a device first writes or merges a draft: Yjs is not part of the shop's first
 * screen, which shows the fields derived from each draft. The module loads once; later calls share it.
 */
export const draftDoc = () => import('@pourover/schemas/draft-doc');
