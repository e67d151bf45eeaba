import { useEffect, useState } from 'preact/hooks';
import { registerSW } from 'virtual:pwa-register';
import { reloadToUpdate, updateWaiting } from './reload-to-update.ts';

/**
 * Registers the service worker, and when a new version of the app has been
 * downloaded, says so and offers to switch; until the shopper does, this
 * version keeps running (offline too), so nothing typed is lost to a reload.
 */
export function AppUpdate() {
  const [update, setUpdate] = useState(false);
  useEffect(() => {
    const updateSW = registerSW({
      immediate: true,
      onNeedRefresh: () => {
        updateWaiting(updateSW);
        setUpdate(true);
      },
    });
  }, []);
  if (!update) return null;
  return (
    <div class="app-update" role="status">
      <span>A new version is ready.</span>
      <button type="button" class="primary" onClick={() => void reloadToUpdate()}>
        Reload to update
      </button>
      <button type="button" onClick={() => setUpdate(false)}>
        Later
      </button>
    </div>
  );
}
