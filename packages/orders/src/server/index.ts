/** The shop's rules on the server (`@pourover/orders/server`): the hooks the server binary's app wiring gives the sync engine. */
export { draftOrderHooks, orderHooks, processedOrderHooks, orderRequestHooks, deliveryHooks, checkOrderDocument } from './draft-hooks.ts';
export { slotScheduleHooks, checkScheduleRow } from './slot-schedule-hooks.ts';
export { currentCatalog, type Catalog, type CatalogEntry } from './current-catalog.ts';
export { planDraftPush, type DraftContext } from './draft-writes.ts';
export type { PlacingFacts } from './placing-rules.ts';
export { shopDemo, profileOnSignUp } from './demo/shop-demo.ts';
export { DEMO_SHOPPER_ID, demoShopper } from './demo/demo-shopper.ts';
export { seedDemo, DEMO_PASSWORD } from './demo/seed.ts';
export { demoCatalog } from './demo/demo-catalog.ts';
