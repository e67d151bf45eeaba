import type { WireDocument } from '@pourover/protocol';
import { withRecovery } from '@pourover/sync-client';
import type { OrderDeps } from './order-deps.ts';

/** Writes `changes` onto a processed order in one batch whose precondition is the order as read; `ok: false` if it changed since. */
export function moveProcessed(
  deps: Pick<OrderDeps, 'client' | 'credentials'>,
  replica: string,
  order: WireDocument,
  changes: Record<string, unknown>,
) {
  return withRecovery(deps.credentials, () =>
    deps.client.sync.batch.mutate({
      replica,
      operations: [{ collection: 'processedOrders', precondition: { kind: 'equals', state: order }, write: { ...order, ...changes } }],
    }),
  );
}
