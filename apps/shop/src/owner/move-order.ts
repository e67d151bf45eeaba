import type { WireDocument } from '@pourover/protocol';
import type { Order, OrderStatus } from '@pourover/schemas';
import type { SyncClient } from '@pourover/sync-client';
import { explain } from '../words/error-words.ts';
import { movedMeanwhile } from './board-moves.ts';

/** What a move changes: the status, and a reason or a driver where the move takes one. */
export type MoveChange = { status: OrderStatus; cancelReason?: string; rejectReason?: string; driverId?: string };

/** A move landed, or did not: in words, with the order's state now when someone moved it first. */
export type MoveOutcome = { ok: true } | { ok: false; sentence: string; current?: WireDocument | null };

/**
 * Moves one order with one batch over the state the owner saw: the server
 * checks the move, stamps its step and gives a slot place back if it ends
 * the order. If someone moved it first, nothing changes and the outcome says
 * what happened instead; a refused move says the server's sentence.
 */
export async function moveOrder(
  client: SyncClient,
  options: { replica: string; state: WireDocument; change: MoveChange },
): Promise<MoveOutcome> {
  const { replica, state, change } = options;
  try {
    const result = await client.sync.batch.mutate({
      replica,
      operations: [{ collection: 'processedOrders', precondition: { kind: 'equals', state }, write: { ...state, ...change } }],
    });
    if (result.ok) return { ok: true };
    if (result.reason === 'deadline') return { ok: false, sentence: 'The server took too long; try again.' };
    const current = result.failed.current;
    const now = current && !current._deleted ? (current as unknown as Order) : null;
    return { ok: false, sentence: movedMeanwhile(now, state as unknown as Order), current };
  } catch (error) {
    return { ok: false, sentence: explain(error).sentence };
  }
}
