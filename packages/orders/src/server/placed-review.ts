import { PouroverError } from '@pourover/protocol';
import type { BatchWriteInput, BatchWriteReview } from '@pourover/sync-server/app';
import { isStoreWorker } from './store-worker.ts';

/**
 * A batch write of a placed order: the store's order processor's alone (it
 * takes the order out of `placedOrders` as it charges it). An owner's device
 * reads and watches placed orders but never changes one before it is
 * charged; it moves an order once it is received.
 */
export async function reviewPlacedWrite(input: BatchWriteInput): Promise<BatchWriteReview> {
  if (!isStoreWorker(input.principal))
    throw new PouroverError(
      'FORBIDDEN',
      'only the store’s order processor writes a placed order; an owner’s device moves it once it is received',
    );
  return { document: input.document };
}
