import { randomUUID } from 'node:crypto';
import { openShop, type OrderView, type Shop } from '@pourover/orders';
import type { DeliverySlot } from '@pourover/schemas';
import { createSyncClient } from '@pourover/sync-client';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { filter, firstValueFrom, throwError, timeout, type Observable } from 'rxjs';
import type { BenchContext } from './context.ts';

/** What the order benchmarks share: a slot with room, a shopper with a card, a shop device, and bounded waits. */

let unique = 0;

/** The first value of `source` that passes `check`; a minute without one fails the bench with `what` rather than hanging it. */
export const until = <T>(source: Observable<T>, check: (value: T) => boolean, what = 'the expected state') =>
  firstValueFrom(
    source.pipe(filter(check), timeout({ first: 60_000, with: () => throwError(() => new Error(`bench: no sign of ${what} after 60 s`)) })),
  );
export const orderIn = (orders: readonly OrderView[], id: string) => orders.find((order) => order.id === id);

/** A delivery slot a week ahead with room for every order a bench places. */
export async function openSlot(ctx: BenchContext): Promise<DeliverySlot> {
  const start = Date.now() + 7 * 86_400_000;
  const slot: DeliverySlot = {
    id: randomUUID(),
    start: new Date(start).toISOString(),
    end: new Date(start + 7_200_000).toISOString(),
    capacity: 10_000,
    taken: 0,
    cutoff: new Date(start - 86_400_000).toISOString(),
  };
  await ctx.store.sync.push.mutate({
    collection: 'availability',
    rows: [{ assumedMasterState: null, newDocumentState: { ...slot, _deleted: false } }],
  });
  return slot;
}

/** Gives a bench shopper a profile with a card, as the server's placing rules ask of every order. */
export async function withProfile(ctx: BenchContext, shopper: { id: string; token: string }) {
  const client = createSyncClient({ url: ctx.server.url, token: () => shopper.token });
  await client.sync.push.mutate({
    collection: 'user',
    rows: [
      {
        assumedMasterState: null,
        newDocumentState: { id: shopper.id, name: 'Bench', email: '', address: '', paymentToken: 'tok_visa', _deleted: false },
      },
    ],
  });
  return client;
}

export function shopOf(ctx: BenchContext, token: string, name: string): Promise<Shop> {
  return openShop({
    url: ctx.server.url,
    blessing: token,
    name: `${name}-${process.pid}-${++unique}`,
    indexedDB: { indexedDB, IDBKeyRange },
    EventSource,
    multiInstance: false,
    retryMs: 250,
  });
}
