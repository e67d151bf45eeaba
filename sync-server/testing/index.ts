/**
 * The suites a store or an identity store proves itself with: call one from
 * a test file with a way to open the implementation under test.
 */
export { storeConformance, type StoreUnderTest } from './store-conformance.ts';
export { identityConformance, type IdentityUnderTest } from './identity-conformance.ts';
export { imageStoreConformance } from './image-store-conformance.ts';
