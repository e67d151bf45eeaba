import { useState } from 'preact/hooks';
import { askForNotifications, canAskForNotifications } from './system-notifications.ts';

/** Asks to show notices as system notifications; shown only where the browser has them and the shopper has not answered. */
export function AllowNotifications() {
  const [askable, setAskable] = useState(canAskForNotifications);
  if (!askable) return null;
  const ask = () => void askForNotifications().finally(() => setAskable(canAskForNotifications()));
  return (
    <p class="allow-notifications">
      <button type="button" onClick={ask}>
        Notify me on this device
      </button>{' '}
      when an order is late or an edit from another device became a new draft.
    </p>
  );
}
