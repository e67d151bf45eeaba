import type { Principal } from '@pourover/schemas';

/** Who a request or stream counts against: its blessing (when it has one) and its client address. */
export type Requester = { principal: Principal | undefined; address: string };
