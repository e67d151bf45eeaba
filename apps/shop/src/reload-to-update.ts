/** The service worker's switch to a downloaded version, once one waits (set by `AppUpdate`). */
let waitingUpdate: ((reload: boolean) => Promise<void>) | null = null;
const onWaiting = new Set<() => void>();

export function updateWaiting(update: (reload: boolean) => Promise<void>) {
  waitingUpdate = update;
  for (const notify of onWaiting) notify();
}

/** How long the reload waits for a newer version it found to download before reloading into whatever it has. */
const DOWNLOAD_MS = 30_000;

/**
 * Reloads into the newest version: the one the service worker holds
 * waiting, else one the server has now. A plain reload would not do: the
 * service worker serves the version it holds (so the app works offline),
 * and the newer one would only wait behind it.
 */
export async function reloadToUpdate(): Promise<void> {
  if (!waitingUpdate) await downloadUpdate();
  if (!waitingUpdate) return location.reload();
  // The switch reloads on its own only a page the service worker controlled when it loaded, not a first visit's: reload here.
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
  return waitingUpdate(true);
}

/** Asks the server for a newer service worker and, when there is one, waits (bounded) until it is installed and waiting. */
async function downloadUpdate(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration();
  if (!registration) return;
  let notify = () => {};
  const waiting = new Promise<void>((resolve) => (notify = resolve));
  onWaiting.add(notify);
  try {
    // Offline, or the server down: there is nothing newer to switch to.
    const found = await registration.update().then(
      () => registration.installing !== null || registration.waiting !== null,
      () => false,
    );
    if (found) await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, DOWNLOAD_MS))]);
  } finally {
    onWaiting.delete(notify);
  }
}
