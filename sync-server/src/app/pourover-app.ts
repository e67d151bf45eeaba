import {
  deliveryHooks,
  draftOrderHooks,
  orderHooks,
  orderRequestHooks,
  processedOrderHooks,
  profileOnSignUp,
  shopDemo,
  slotScheduleHooks,
} from '@pourover/orders/server';
import { serverCollections } from '@pourover/schemas';
import type { ServerApp } from './server-app.ts';

/**
 * The one place the server binary meets the coffee shop: its collections
 * (`@pourover/schemas`: those devices hold and the store's own) and its server rules (`@pourover/orders/server`).
 * Everything else in `sync-server/src` knows no app.
 */
export const pouroverApp: ServerApp = {
  collections: serverCollections,
  hooks: {
    draftOrders: draftOrderHooks,
    placedOrders: orderHooks,
    processedOrders: processedOrderHooks,
    orderRequests: orderRequestHooks,
    deliveries: deliveryHooks,
    slotSchedule: slotScheduleHooks,
  },
  onSignUp: profileOnSignUp,
  imagesFor: 'catalog',
  demo: shopDemo,
};
