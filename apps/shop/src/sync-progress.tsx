import type { Shop } from '@pourover/orders';
import { pullCheckpointId } from '@pourover/replica';
import { shopperCollectionNames, type ShopperCollectionName } from '@pourover/schemas';
import { useEffect, useState } from 'preact/hooks';
import { combineLatest, map } from 'rxjs';

type Heads = Partial<Record<ShopperCollectionName, number>>;

/**
 * How far the device has synced: each collection's checkpoint against the
 * server's latest change in it, asked for once when a sync has run for a
 * while (`StatusBar` mounts it after 2 s: a new device of a shopper with
 * many orders, a slow network).
 */
export function SyncProgress({ shop }: { shop: Shop }) {
  const [heads, setHeads] = useState<Heads | null>(null);
  const [checkpoints, setCheckpoints] = useState<Heads>({});
  useEffect(() => {
    shop.replica.client.progress.heads.query().then(
      ({ heads: answered }) => setHeads(answered),
      () => setHeads(null),
    );
    const subscription = combineLatest(
      shopperCollectionNames.map((name) =>
        shop.replica.db
          .getLocal$<{ seq: number }>(pullCheckpointId(name))
          .pipe(map((doc) => [name, Number(doc?.toJSON().data.seq ?? 0)] as const)),
      ),
    ).subscribe((pairs) => setCheckpoints(Object.fromEntries(pairs)));
    return () => subscription.unsubscribe();
  }, [shop]);
  if (!heads) return null;
  let total = 0;
  let done = 0;
  for (const name of shopperCollectionNames) {
    const head = heads[name] ?? 0;
    total += head;
    done += Math.min(head, checkpoints[name] ?? 0);
  }
  if (total === 0 || done >= total) return null;
  const percent = Math.floor((done / total) * 100);
  return (
    <div class="sync-progress">
      <label for="sync-progress">Getting your orders onto this device: {percent}%</label>
      <progress id="sync-progress" max={total} value={done} />
    </div>
  );
}
