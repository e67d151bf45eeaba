import type { Principal } from '@pourover/schemas';

/** The store's own worker (the order processor): the store's token with no device, never an owner's phone or till. */
export const isStoreWorker = (principal: Principal): boolean => principal.kind === 'store' && principal.device === undefined;
