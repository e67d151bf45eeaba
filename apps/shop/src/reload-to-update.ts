/** The service worker's switch to a downloaded version, once one waits (set by `AppUpdate`). */
let waitingUpdate: ((reload: boolean) => Promise<void>) | null = null;

export function updateWaiting(update: (reload: boolean) => Promise<void>) {
  waitingUpdate = update;
}

/** Reloads into the newest version: the one the service worker holds waiting, else whatever the server now serves. */
export async function reloadToUpdate(): Promise<void> {
  if (waitingUpdate) return waitingUpdate(true);
  location.reload();
}
