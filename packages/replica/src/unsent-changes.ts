import { BehaviorSubject, type Observable } from 'rxjs';

/**
 * The device's count of documents holding writes the server has not taken:
 * the sum of each written collection's `UnsentWrites.count$`, which alone
 * knows it. The tabs of a device share one database and only the leading
 * tab replicates, so it alone counts, and it counts the other tabs' writes
 * too (RxDB relays their events over a BroadcastChannel).
 */
export class UnsentChanges {
  readonly count$ = new BehaviorSubject(0);
  readonly #counts = new Map<string, number>();

  /** Adds a collection's count. */
  track(collection: string, count$: Observable<number>) {
    count$.subscribe((count) => {
      this.#counts.set(collection, count);
      let sum = 0;
      for (const each of this.#counts.values()) sum += each;
      if (sum !== this.count$.value) this.count$.next(sum);
    });
  }
}
