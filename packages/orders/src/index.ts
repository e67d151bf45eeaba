export { Shop, type NoticeMemory, type ShopOptions } from './shop.ts';
export type { CancelRequestView, OrderView, OrderItemView } from './order-view.ts';
export type { Notice } from './notices.ts';
export { pouroverDeviceApp, pouroverDriverApp, type ShopReplica, type DriverReplica } from './device-app.ts';
export { draftMerge } from './draft-merge.ts';
export { cancelRefusal } from './lifecycle.ts';

import { Shop, type ShopOptions } from './shop.ts';

/** Opens the shop on this device: its replica with the order rules, and the order API over it. */
export function openShop(options: ShopOptions): Promise<Shop> {
  return Shop.open(options);
}
export { DriverRoute, type DeliveryView, type DriverRouteOptions } from './driver-route.ts';
