/** The shop's rules on the server (`@pourover/orders/server`): the hooks the server binary's app wiring gives the sync engine. */
export { draftOrderHooks, orderHooks, checkOrderDocument } from './draft-hooks.ts';
export { currentCatalog, type Catalog, type CatalogEntry } from './current-catalog.ts';
export { planDraftPush, type DraftContext } from './draft-writes.ts';
export type { PlacingFacts } from './placing-rules.ts';
