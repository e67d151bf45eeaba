import type { Notice, Shop } from '@pourover/orders';
import { useEffect } from 'preact/hooks';
import { formatTime, orderNumber } from './format.ts';
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
  switch (notice.kind) {
    case 'split':
      return 'Some changes reached us after your order was placed from another device. We kept them as a new draft.';
    case 'refused':
      return `We could not place your order: ${notice.reason}.`;
    case 'unreceived':
      return `Your order placed ${formatTime(notice.placedTime)} has not been received by the store yet.`;
    case 'cancelRefused':
      return `Order ${orderNumber(notice.orderId)} could not be cancelled: ${notice.reason}.`;
    case 'rejected':
      return `The store could not take order ${orderNumber(notice.orderId)}: ${notice.reason}. Any payment is given back.`;
    case 'storeCancelled':
      return `The store cancelled order ${orderNumber(notice.orderId)}: ${notice.reason}. Your payment is given back.`;
    case 'late':
      return `Order ${orderNumber(notice.orderId)} is running late: it was due by ${formatTime(notice.slotEnd)}. We are on it.`;
  }
}
