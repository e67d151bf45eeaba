import type { Order } from '@pourover/schemas';
import { useState } from 'preact/hooks';
import { orderNumber } from '../format.ts';
import { stepWords } from './board-moves.ts';
import type { OnOutcome } from './order-actions.tsx';

/** The last refused move, said above the board: it stays in view when the order it names has moved to another list. */
export function useMoveNotice(): { notice: string | null; onOutcome: OnOutcome; dismiss: () => void } {
  const [notice, setNotice] = useState<string | null>(null);
  const onOutcome: OnOutcome = (row, outcome) => {
    if (outcome.ok) {
      setNotice(null);
      return;
    }
    const now = outcome.current && !outcome.current._deleted ? (outcome.current as unknown as Order) : undefined;
    const state = now ? ` It is now ${stepWords[now.status]}.` : '';
    setNotice(`Order ${orderNumber(row.order.id)}: ${outcome.sentence}${state}`);
  };
  return { notice, onOutcome, dismiss: () => setNotice(null) };
}

/** The notice's place on the page: an alert region that is always there, so a screen reader hears each new notice. */
export function MoveNotice({ notice, dismiss }: { notice: string | null; dismiss: () => void }) {
  return (
    <div role="alert" class="move-notice-region">
      {notice ? (
        <p class="move-notice error">
          {notice}{' '}
          <button type="button" class="link" onClick={dismiss}>
            Dismiss
          </button>
        </p>
      ) : null}
    </div>
  );
}
