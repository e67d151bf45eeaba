import { useEffect, useState } from 'preact/hooks';
import { registerSW } from 'virtual:pwa-register';

/**
 * Registers the service worker, and when a new version of the app has been
 * downloaded, says so and offers to switch; until the shopper does, this
 * version keeps running (offline too), so nothing typed is lost to a reload.
 */
export function AppUpdate() {
  const [update, setUpdate] = useState<((reload: boolean) => Promise<void>) | null>(null);
  useEffect(() => {
    const updateSW = registerSW({ immediate: true, onNeedRefresh: () => setUpdate(() => updateSW) });
  }, []);
  if (!update) return null;
  return (
    <div class="app-update" role="status">
      <span>A new version is ready.</span>
      <button type="button" class="primary" onClick={() => void update(true)}>
        Reload to update
      </button>
      <button type="button" onClick={() => setUpdate(null)}>
        Later
      </button>
    </div>
  );
}
