import { cancelRefusal, type OrderView, type Shop } from '@pourover/orders';
import { PouroverError } from '@pourover/protocol';
import { useMemo, useState } from 'preact/hooks';
import { formatTime } from './format.ts';
import { tabStatus$ } from './tab-status.ts';
import { useObservable } from './use-observable.ts';
import { explain } from './words/error-words.ts';

/** The most characters a reason for cancelling may have (the request's schema). */
const MAX_REASON = 500;

/** A refusal made on this device says why in its own words; any other failure is explained as the server's would be. */
const sentenceOf = (failure: unknown) =>
  failure instanceof PouroverError ? `${failure.message.charAt(0).toUpperCase()}${failure.message.slice(1)}.` : explain(failure).sentence;

/**
 * The shopper's cancellation of an order: a "Cancel order" button while the
 * order may still be cancelled, a confirmation with an optional reason, then
 * where the request stands — waiting to be sent (offline) or answered, and a
 * refused one may be asked again while the order allows it.
 */
export function CancelOrder({ shop, order }: { shop: Shop; order: OrderView }) {
  // The device's status as the header shows it: the tab that syncs may be another, and the browser knows first when it is offline.
  const status = useObservable(
    useMemo(() => tabStatus$(shop), [shop]),
    undefined,
  );
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const request = order.cancelRequest;
  const allowed = cancelRefusal(order.status) === undefined;
  const send = (event: Event) => {
    event.preventDefault();
    setError(null);
    shop.requestCancel(order.id, reason).then(
      () => setAsking(false),
      (failure: unknown) => setError(sentenceOf(failure)),
    );
  };
  return (
    <div class="cancel-order">
      {request?.state === 'waiting' && order.status !== 'cancelled' ? (
        <p class="cancel-state" role="status">
          {status?.state === 'offline'
            ? 'Cancellation requested — will be sent when you are back online.'
            : 'Cancellation requested — waiting for the store’s answer.'}
        </p>
      ) : null}
      {request?.state === 'accepted' ? (
        <p class="cancel-state" role="status">
          Cancellation accepted {formatTime(request.answer.at)}.
        </p>
      ) : null}
      {request?.state === 'refused' ? (
        <p class="cancel-state refused" role="status">
          Your cancellation was refused: {request.answer.reason}.
        </p>
      ) : null}
      {allowed && request?.state !== 'waiting' && request?.state !== 'accepted' && !asking ? (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          {request?.state === 'refused' ? 'Ask again to cancel' : 'Cancel order'}
        </button>
      ) : null}
      {allowed && asking ? (
        <form class="confirm" role="alertdialog" aria-labelledby="cancel-heading" onSubmit={send}>
          <h2 id="cancel-heading">Cancel this order?</h2>
          <p>If the store has your payment, it is given back.</p>
          <label for="cancel-reason">Reason (optional)</label>
          <textarea
            id="cancel-reason"
            value={reason}
            rows={2}
            maxLength={MAX_REASON}
            autoFocus
            onInput={(event) => setReason(event.currentTarget.value)}
          />
          <button type="submit" class="danger">
            Yes, cancel order
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)}>
            Keep order
          </button>
        </form>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
