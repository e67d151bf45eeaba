import type { SyncClient } from '@pourover/sync-client';
import { formatTime, orderNumber, plural } from '../format.ts';
import { prepBoard, prepStages, type BoardRow, type PrepStage } from './board-groups.ts';
import { MoveNotice, useMoveNotice } from './move-notice.tsx';
import { MoveButtons, type OnOutcome } from './order-actions.tsx';
import { OrderCard, type Lookups } from './order-card.tsx';
import { ProcessorHealth } from './processor-health.tsx';
import type { BoardData } from './use-board.ts';

const stageWords: Record<PrepStage, { title: string; list: string; empty: string }> = {
  placed: { title: 'Placed', list: 'Placed orders', empty: 'None waiting for the processor.' },
  received: { title: 'Received', list: 'Received orders', empty: 'No new orders.' },
  preparing: { title: 'Preparing', list: 'Orders being prepared', empty: 'Nothing being prepared.' },
  ready: { title: 'Ready', list: 'Orders ready', empty: 'Nothing ready.' },
};

function Stage(props: { stage: PrepStage; rows: BoardRow[]; lookups: Lookups; client: SyncClient; onOutcome: OnOutcome }) {
  const words = stageWords[props.stage];
  const headingId = `stage-${props.stage}`;
  return (
    <section class={`board-stage stage-${props.stage}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {words.title} ({props.rows.length})
      </h2>
      {props.rows.length === 0 ? <p class="hint">{words.empty}</p> : null}
      <ul aria-label={words.list}>
        {props.rows.map((row) => (
          <OrderCard key={row.order.id} row={row} lookups={props.lookups}>
            {props.stage === 'placed' ? (
              <p class="hint">Waiting for the order processor to take the payment.</p>
            ) : (
              <>
                {props.stage === 'ready' ? (
                  <p class="hint">
                    Give it a driver and send it out under <a href="/owner/deliveries">Deliveries</a>.
                  </p>
                ) : null}
                <MoveButtons client={props.client} row={row} board="orders" onOutcome={props.onOutcome} />
              </>
            )}
          </OrderCard>
        ))}
      </ul>
    </section>
  );
}

/** Orders held for the owner's approval, shown only while some wait: approve, or reject with a reason. */
function AwaitingApproval(props: { rows: BoardRow[]; lookups: Lookups; client: SyncClient; onOutcome: OnOutcome }) {
  if (props.rows.length === 0) return null;
  return (
    <section class="board-stage stage-awaiting" aria-labelledby="stage-awaiting">
      <h2 id="stage-awaiting">Awaiting your approval ({props.rows.length})</h2>
      <ul aria-label="Orders awaiting approval">
        {props.rows.map((row) => (
          <OrderCard key={row.order.id} row={row} lookups={props.lookups}>
            {row.order.approveBy ? (
              <p class="hint">
                {orderNumber(row.order.id)} is rejected and refunded if not approved by {formatTime(row.order.approveBy)}.
              </p>
            ) : null}
            <MoveButtons client={props.client} row={row} board="orders" onOutcome={props.onOutcome} />
          </OrderCard>
        ))}
      </ul>
    </section>
  );
}

/**
 * The prep queue, live: orders awaiting the owner's approval, if any; orders by step (placed, received, preparing, ready),
 * each with what it takes to make it and the moves allowed from its step;
 * ended orders in a collapsed list, newest first.
 */
export function OrdersBoard({ client, data }: { client: SyncClient; data: BoardData }) {
  const { notice, onOutcome, dismiss } = useMoveNotice();
  const board = prepBoard(data.rows);
  const lookups: Lookups = data;
  return (
    <>
      <ProcessorHealth client={client} placed={data.placed} processed={data.processed} />
      <MoveNotice notice={notice} dismiss={dismiss} />
      {data.loaded ? null : <p class="hint">Loading orders…</p>}
      <AwaitingApproval rows={board.awaiting} lookups={lookups} client={client} onOutcome={onOutcome} />
      <div class="board prep-board">
        {prepStages.map((stage) => (
          <Stage key={stage} stage={stage} rows={board.stages[stage]} lookups={lookups} client={client} onOutcome={onOutcome} />
        ))}
      </div>
      {board.outForDelivery > 0 ? (
        <p>
          {plural(board.outForDelivery, 'order')} out for delivery: see <a href="/owner/deliveries">Deliveries</a>.
        </p>
      ) : null}
      <details class="board-done">
        <summary>
          Done ({board.doneCount}){board.doneCount > board.done.length ? `: the latest ${board.done.length}` : ''}
        </summary>
        <ul aria-label="Done orders">
          {board.done.map((row) => (
            <OrderCard key={row.order.id} row={row} lookups={lookups} />
          ))}
        </ul>
      </details>
    </>
  );
}
