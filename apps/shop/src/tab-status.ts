import type { Shop } from '@pourover/orders';
import type { SyncStatus } from '@pourover/replica';
import { combineLatest, map, Observable } from 'rxjs';
import { z } from 'zod';

const CHANNEL = 'pourover-sync-status';
const ASK = 'ask';

/** What the syncing tab tells the others (another tab may run another version of the app, so it is checked). */
const syncStatus = z.object({
  state: z.enum(['offline', 'connecting', 'syncing', 'idle']),
  unsent: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
});

/**
 * The device's sync status as this tab should show it. Tabs share one
 * database, and only the tab RxDB elects leader syncs it; that tab tells the
 * others its status over a BroadcastChannel, and a tab that becomes leader
 * (when the leader closes) shows its own from then on.
 */
export function tabStatus$(shop: Shop): Observable<SyncStatus> {
  return combineLatest([syncingTabStatus$(shop), online$()]).pipe(
    map(([status, online]) => (online ? status : { ...status, state: 'offline' as const })),
  );
}

/**
 * Whether the browser says it has a network. When it says it has none, the
 * device is offline whatever its live stream last heard (an open stream may
 * not notice for seconds); when it has one, the stream's heartbeat tells
 * whether the server is reachable.
 */
function online$(): Observable<boolean> {
  return new Observable<boolean>((subscriber) => {
    const tell = () => subscriber.next(navigator.onLine);
    tell();
    addEventListener('online', tell);
    addEventListener('offline', tell);
    return () => {
      removeEventListener('online', tell);
      removeEventListener('offline', tell);
    };
  });
}

function syncingTabStatus$(shop: Shop): Observable<SyncStatus> {
  return new Observable<SyncStatus>((subscriber) => {
    const channel = new BroadcastChannel(CHANNEL);
    let latest: SyncStatus | undefined;
    let own: { unsubscribe(): void } | undefined;
    let closed = false;
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (own) {
        if (event.data === ASK && latest) channel.postMessage(latest);
        return;
      }
      const status = syncStatus.safeParse(event.data);
      if (status.success) subscriber.next(status.data);
    };
    void shop.replica.db.waitForLeadership().then(() => {
      if (closed) return;
      own = shop.status$.subscribe((status) => {
        latest = status;
        channel.postMessage(status);
        subscriber.next(status);
      });
    });
    channel.postMessage(ASK);
    return () => {
      closed = true;
      own?.unsubscribe();
      channel.close();
    };
  });
}
