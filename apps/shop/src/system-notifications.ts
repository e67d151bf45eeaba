import { z } from 'zod';

const NOTIFIED = 'pourover-notified';
/** Notice keys name one order each, so the last hundred are plenty to never repeat one. */
const REMEMBERED = 100;
const notifiedKeys = z.array(z.string()).catch([]);

/** Whether this browser has system notifications and the shopper has not been asked yet. */
export const canAskForNotifications = () => typeof Notification !== 'undefined' && Notification.permission === 'default';

export const askForNotifications = () => Notification.requestPermission();

function notified(): string[] {
  try {
    return notifiedKeys.parse(JSON.parse(localStorage.getItem(NOTIFIED) ?? '[]'));
  } catch {
    return [];
  }
}

/**
 * Shows a notice as a system notification, if the shopper allowed them, once:
 * not again after a reload nor from another tab (two tabs that race both
 * show it under the notice's tag, and the system keeps one).
 */
export async function notifyOnce(key: string, body: string): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const seen = notified();
  if (seen.includes(key)) return;
  localStorage.setItem(NOTIFIED, JSON.stringify([...seen, key].slice(-REMEMBERED)));
  const options = { body, tag: key, icon: '/icon-192.png' };
  // Android's Chrome has no `new Notification` in a page: there only the service worker shows them.
  const registration = await navigator.serviceWorker?.getRegistration();
  if (registration?.active) await registration.showNotification('Pourover', options);
  else new Notification('Pourover', options);
}
