/** What an app's server hooks build on (`@pourover/sync-server/app`): the hook types, the store's types, and helpers for planned writes. */
export type { BatchWriteInput, BatchWriteReview, CollectionHooks, DemoParts, PushInput, PushPlan, ServerApp } from './server-app.ts';
export type { Store, StoredDocument, Write, Expectation } from '../store/store.ts';
export { validFields } from '../sync/documents.ts';
export { stableId } from '../sync/stable-id.ts';
export { canonicalJson } from '../store/canonical.ts';
export { hashPassword } from '../auth/passwords.ts';
export type { IdentityStore } from '../auth/identity-store.ts';
export type { ImageStore, StoredImage } from '../images/image-store.ts';
