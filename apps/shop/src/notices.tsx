import type { Notice, Shop } from '@pourover/orders';
import { useEffect, useRef } from 'preact/hooks';
import { formatTime } from './format.ts';
import { useObservable } from './use-observable.ts';

/** The order API's notices, with a system notification for new ones when the shopper allowed it. */
export function Notices({ shop }: { shop: Shop }) {
  const notices = useObservable(shop.notices$, []);
  const shown = useRef(new Set<string>());
  useEffect(() => {
    for (const notice of notices) {
      if (shown.current.has(notice.key)) continue;
      shown.current.add(notice.key);
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') new Notification('Pourover', { body: text(notice) });
    }
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
  if (notice.kind === 'split') return 'Some changes reached us after your order was placed from another device. We kept them as a new draft.';
  return `Your order placed ${formatTime(notice.placedTime)} has not been received by the store yet.`;
}
