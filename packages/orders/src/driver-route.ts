import { PouroverError } from '@pourover/protocol';
import { openReplica, type ReplicaOptions, type SyncStatus } from '@pourover/replica';
import type { Delivery, DriverCollectionName } from '@pourover/schemas';
import { map, shareReplay, type Observable } from 'rxjs';
import { pouroverDriverApp, type DriverReplica } from './device-app.ts';

export type DriverRouteOptions = Omit<ReplicaOptions<DriverCollectionName>, 'app' | 'beforeApply' | 'conflictHandlers'>;

/** Where a delivery stands on the driver's phone: as the server last said, or marked here and not yet answered. */
export type DeliveryView = Delivery & { unsent: boolean };

/** Deliveries still to make first, by slot; then the ones done or withdrawn, newest first. */
function byRoute(a: DeliveryView, b: DeliveryView): number {
  const doneA = a.status === 'delivered' || a.status === 'withdrawn';
  const doneB = b.status === 'delivered' || b.status === 'withdrawn';
  if (doneA !== doneB) return doneA ? 1 : -1;
  if (doneA) return (b.steps.at(-1)?.at ?? '').localeCompare(a.steps.at(-1)?.at ?? '');
  return (a.slotStart ?? '').localeCompare(b.slotStart ?? '') || a.id.localeCompare(b.id);
}

/**
 * A driver's deliveries on the driver's phone, live, and the marks the
 * driver makes: picked up, delivered. A mark is written on the phone at
 * once, offline too, and sent when the phone is online; the server applies
 * it with the order's move once, or sends the delivery back withdrawn.
 */
export class DriverRoute {
  readonly replica: DriverReplica;
  readonly deliveries$: Observable<DeliveryView[]>;
  readonly status$: Observable<SyncStatus>;

  private constructor(replica: DriverReplica) {
    this.replica = replica;
    this.deliveries$ = replica.collections.deliveries.find().$.pipe(
      map((found) =>
        found
          .map((doc) => {
            const delivery = doc.toJSON() as unknown as Delivery;
            return { ...delivery, unsent: delivery.steps.at(-1)?.status !== delivery.status };
          })
          .sort(byRoute),
      ),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.status$ = replica.status$;
  }

  static async open(options: DriverRouteOptions): Promise<DriverRoute> {
    return new DriverRoute(await openReplica({ ...options, app: pouroverDriverApp }));
  }

  /** Marks a delivery picked up: the order goes out for delivery. */
  markPickedUp(id: string): Promise<void> {
    return this.#mark(id, 'pickedUp');
  }

  /** Marks a delivery delivered (picked up too, if it was not marked so). */
  markDelivered(id: string): Promise<void> {
    return this.#mark(id, 'delivered');
  }

  async #mark(id: string, status: 'pickedUp' | 'delivered'): Promise<void> {
    const doc = await this.replica.collections.deliveries.findOne(id).exec();
    if (!doc) throw new PouroverError('NOT_FOUND', 'this delivery is not on this phone');
    const current = doc.toJSON() as unknown as Delivery;
    if (current.status === 'withdrawn')
      throw new PouroverError('PRECONDITION_FAILED', `this delivery was withdrawn: ${current.withdrawnReason ?? ''}`);
    if (current.status === 'delivered' || (status === 'pickedUp' && current.status === 'pickedUp')) return;
    await doc.incrementalPatch({ status });
  }

  close(): Promise<void> {
    return this.replica.close();
  }
}
