import type { SyncClient } from '@pourover/sync-client';
import { useState } from 'preact/hooks';
import { orderNumber } from '../format.ts';
import type { BoardRow } from './board-groups.ts';
import { movesOn, stepWords, type BoardMove } from './board-moves.ts';
import { moveOrder, type MoveChange, type MoveOutcome } from './move-order.ts';

/** Tells the board how a move went, so it can say so even once the order has left this list. */
export type OnOutcome = (row: BoardRow, outcome: MoveOutcome) => void;

const busyWords: Partial<Record<string, string>> = {
  received: 'Approving…',
  preparing: 'Starting…',
  ready: 'Marking ready…',
  outForDelivery: 'Sending out…',
  delivered: 'Confirming…',
  cancelled: 'Cancelling…',
  rejected: 'Rejecting…',
};

/** Runs one move of an order, at most one at a time per card, and reports how it went. */
export function useMove(client: SyncClient, row: BoardRow, onOutcome: OnOutcome) {
  const [busy, setBusy] = useState<string | null>(null);
  const run = async (change: MoveChange, key: string = change.status) => {
    setBusy(key);
    const outcome = await moveOrder(client, { replica: row.replica, state: row.state, change });
    setBusy(null);
    onOutcome(row, outcome);
    return outcome;
  };
  return { busy, run };
}

/** The reason field a cancel or reject asks for, with its confirm and back buttons. */
function ReasonForm(props: { row: BoardRow; move: BoardMove; busy: boolean; onSubmit: (reason: string) => void; onBack: () => void }) {
  const [reason, setReason] = useState('');
  const id = `reason-${props.move.to}-${props.row.order.id}`;
  const verb = props.move.reason === 'reject' ? 'rejecting' : 'cancelling';
  return (
    <form
      class="reason-form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit(reason);
      }}
    >
      <label for={id}>
        Reason for {verb} {orderNumber(props.row.order.id)} (the shopper reads it)
      </label>
      <input id={id} required maxLength={500} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
      <div class="actions">
        <button type="submit" class="danger" disabled={props.busy} aria-busy={props.busy}>
          {props.busy ? busyWords[props.move.to] : `${props.move.label} order`}
        </button>
        <button type="button" onClick={props.onBack} disabled={props.busy}>
          Back
        </button>
      </div>
    </form>
  );
}

/**
 * The buttons of the moves a board offers on an order, only those allowed
 * from its step; an ending first asks its reason. `blocked` holds a move back
 * with a sentence (a delivery with no driver yet).
 */
export function MoveButtons(props: {
  client: SyncClient;
  row: BoardRow;
  board: 'orders' | 'deliveries';
  onOutcome: OnOutcome;
  blocked?: Partial<Record<string, string>>;
}) {
  const { row } = props;
  const { busy, run } = useMove(props.client, row, props.onOutcome);
  const [asking, setAsking] = useState<BoardMove | null>(null);
  const moves = movesOn(row.order.status, props.board);
  if (asking) {
    return (
      <ReasonForm
        row={row}
        move={asking}
        busy={busy !== null}
        onBack={() => setAsking(null)}
        onSubmit={(reason) =>
          void run(
            asking.reason === 'reject' ? { status: 'rejected', rejectReason: reason } : { status: 'cancelled', cancelReason: reason },
          )
        }
      />
    );
  }
  const number = orderNumber(row.order.id);
  return (
    <div class="actions" role="group" aria-label={`Actions for order ${number}`}>
      {moves.map((move) => {
        const blocked = props.blocked?.[move.to];
        const hintId = blocked ? `blocked-${move.to}-${row.order.id}` : undefined;
        return (
          <span key={move.to} class="action">
            <button
              type="button"
              class={move.reason ? undefined : 'primary'}
              disabled={busy !== null || blocked !== undefined}
              aria-busy={busy === move.to}
              aria-describedby={hintId}
              aria-label={busy === move.to ? undefined : `${move.label}: order ${number}`}
              onClick={() => (move.reason ? setAsking(move) : void run({ status: move.to }))}
            >
              {busy === move.to ? busyWords[move.to] : move.label}
            </button>
            {blocked ? (
              <span id={hintId} class="hint">
                {blocked}
              </span>
            ) : null}
          </span>
        );
      })}
      {moves.length === 0 ? <span class="hint">{stepWords[row.order.status]}: nothing to do here.</span> : null}
    </div>
  );
}
