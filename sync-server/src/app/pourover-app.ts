import {
  deliveryHooks,
  draftOrderHooks,
  orderHooks,
  orderRequestHooks,
  processedOrderHooks,
  profileOnSignUp,
  shopDemo,
} from '@pourover/orders/server';
import { collections } from '@pourover/schemas';
import type { ServerApp } from './server-app.ts';

/**
 * The one place the server binary meets the coffee shop: its collections
 * (`@pourover/schemas`) and its server rules (`@pourover/orders/server`).
 * Everything else in `sync-server/src` knows no app.
 */
export const pouroverApp: ServerApp = {
  collections,
  hooks: {
    draftOrders: draftOrderHooks,
    placedOrders: orderHooks,
    processedOrders: processedOrderHooks,
    orderRequests: orderRequestHooks,
    deliveries: deliveryHooks,
  },
  onSignUp: profileOnSignUp,
  imagesFor: 'catalog',
  demo: shopDemo,
};
