/**
 * Who sends the fuzz's requests: the shopper's device, another shopper's
 * device, the store, no one, and a token that is none.
 */
import { shopperReplica } from '@pourover/schemas';
import fc from 'fast-check';
import { DEMO_REPLICA } from '../support/test-server.ts';

export type Caller = 'device' | 'other' | 'store' | 'none' | 'junk';

/** The shopper's replica, and another shopper's. */
export const D = DEMO_REPLICA;
const OTHER_SHOPPER = 'd00dfeed-0000-4000-8000-00000000000c';
export const O = shopperReplica(OTHER_SHOPPER);

export const callerArb = fc.constantFrom<Caller>('device', 'device', 'device', 'other', 'store', 'store', 'none', 'junk');
