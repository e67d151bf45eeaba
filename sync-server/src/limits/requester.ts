import { driverReplica, type Principal } from '@pourover/schemas';

/** Who a request or stream counts against: its blessing (when it has one) and its client address. */
export type Requester = { principal: Principal | undefined; address: string };

/** The account whose devices share a budget: a shopper's (by id), a driver's (by replica name, which no shopper id can be); the store has none. */
export function accountOf(principal: Principal): string | undefined {
  switch (principal.kind) {
    case 'store':
      return undefined;
    case 'device':
      return principal.shopperId;
    case 'driver':
      return driverReplica(principal.driverId);
  }
}
