import type { Shop } from '@pourover/orders';
import type { SyncStatus } from '@pourover/replica';
import { useEffect, useState } from 'preact/hooks';
import { plural } from './format.ts';
import { SyncProgress } from './sync-progress.tsx';
import { reloadToUpdate } from './reload-to-update.ts';
import { explain } from './words/error-words.ts';

const words = {
  offline: 'Offline',
  connecting: 'Connecting…',
  syncing: 'Syncing…',
  idle: 'Up to date',
  'update-needed': 'Update needed',
} as const;

/**
 * Whether the device (whichever of its tabs syncs it) is offline, syncing or
 * up to date; always how many changes wait to be sent; the last error in
 * words while not up to date; and how far a first sync has come.
 */
export function StatusBar({ status, shop }: { status: SyncStatus; shop: Shop }) {
  const long = useLongSync(status.state !== 'idle' && status.state !== 'update-needed');
  const unsent = status.unsent > 0 ? `${plural(status.unsent, 'change')} not sent yet` : 'All changes sent';
  return (
    <div class={`status status-${status.state}`}>
      <p role="status" aria-live="polite">
        <span class="status-state">{words[status.state]}</span> · <span class="status-unsent">{unsent}</span>
        {status.lastError && status.state !== 'idle' ? (
          <span class="status-error"> · {explain(new Error(status.lastError)).sentence}</span>
        ) : null}
      </p>
      {status.state === 'update-needed' ? (
        <div class="app-update" role="alert">
          <span>A new version of the app is needed to sync. Your changes are kept on this device and sent after the update.</span>
          <button type="button" class="primary" onClick={() => void reloadToUpdate()}>
            Reload to update
          </button>
        </div>
      ) : null}
      {long ? <SyncProgress shop={shop} /> : null}
    </div>
  );
}

/** How long a sync runs before it is worth measuring: most are over sooner, and measuring costs the page work while it loads. */
const LONG_SYNC_MS = 2_000;

/** Whether the device has been syncing (or trying to) for `LONG_SYNC_MS` without a break. */
function useLongSync(syncing: boolean): boolean {
  const [long, setLong] = useState(false);
  useEffect(() => {
    if (!syncing) return setLong(false);
    const timer = setTimeout(() => setLong(true), LONG_SYNC_MS);
    return () => clearTimeout(timer);
  }, [syncing]);
  return long;
}
