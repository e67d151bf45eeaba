import type { Notice, Shop } from '@pourover/orders';
import { useEffect } from 'preact/hooks';
import { formatTime } from './format.ts';
import { notifyOnce } from './system-notifications.ts';
import { useObservable } from './use-observable.ts';

/** The order API's notices, with a system notification for new ones when the shopper allowed it. */
export function Notices({ shop }: { shop: Shop }) {
  const notices = useObservable(shop.notices$, []);
  useEffect(() => {
    // The notice stays on the page whether or not the system shows it too.
    for (const notice of notices) notifyOnce(notice.key, text(notice)).catch(() => {});
  }, [notices]);
  if (notices.length === 0) return null;
  return (
    <section class="notices" aria-label="Notices">
      {notices.map((notice) => (
        <div class="notice" role="alert" key={notice.key}>
          <span>{text(notice)}</span>
          <button type="button" onClick={() => shop.dismiss(notice.key)} aria-label="Dismiss notice">
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}

function text(notice: Notice): string {
  if (notice.kind === 'split')
    return 'Some changes reached us after your order was placed from another device. We kept them as a new draft.';
  if (notice.kind === 'refused') return `We could not place your order: ${notice.reason}.`;
  return `Your order placed ${formatTime(notice.placedTime)} has not been received by the store yet.`;
}
