import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useState } from 'preact/hooks';
import { orderNumber } from '../format.ts';
import { explain } from '../words/error-words.ts';
import { deliveryBoard, type BoardRow } from './board-groups.ts';
import { lateBy } from './lateness.ts';
import { listDrivers, type Driver } from './list-drivers.ts';
import { MoveNotice, useMoveNotice } from './move-notice.tsx';
import { MoveButtons, useMove, type OnOutcome } from './order-actions.tsx';
import { OrderCard, type Lookups } from './order-card.tsx';
import type { OwnerSession } from './store-client.ts';
import type { BoardData } from './use-board.ts';

/** The store's drivers, read once; an empty list while none exist (or the server has none yet). */
function useDrivers(session: OwnerSession): { drivers: Driver[] | null; error: string | null } {
  const [drivers, setDrivers] = useState<Driver[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    listDrivers(session).then(setDrivers, (failure: unknown) => {
      setDrivers([]);
      setError(explain(failure).sentence);
    });
  }, [session]);
  return { drivers, error };
}

/** Who delivers an order: a select of the store's drivers and the button that assigns the chosen one. */
function AssignDriver(props: { client: SyncClient; row: BoardRow; drivers: Driver[]; onOutcome: OnOutcome }) {
  const { row } = props;
  const [chosen, setChosen] = useState(row.order.driverId ?? '');
  const { busy, run } = useMove(props.client, row, props.onOutcome);
  const id = `driver-${row.order.id}`;
  if (props.drivers.length === 0) return null;
  const known = props.drivers.some((driver) => driver.id === row.order.driverId);
  return (
    <form
      class="assign-driver"
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen) void run({ status: row.order.status, driverId: chosen }, 'assign');
      }}
    >
      <label for={id}>Driver for {orderNumber(row.order.id)}</label>
      <select id={id} value={chosen} onChange={(event) => setChosen(event.currentTarget.value)}>
        <option value="">Choose a driver</option>
        {row.order.driverId && !known ? <option value={row.order.driverId}>{row.order.driverId}</option> : null}
        {props.drivers.map((driver) => (
          <option key={driver.id} value={driver.id}>
            {driver.name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy !== null || !chosen || chosen === row.order.driverId} aria-busy={busy === 'assign'}>
        {busy === 'assign' ? 'Assigning…' : row.order.driverId ? 'Change driver' : 'Assign driver'}
      </button>
    </form>
  );
}

const driverName = (drivers: Driver[], id: string | undefined) =>
  id ? (drivers.find((driver) => driver.id === id)?.name ?? id) : undefined;

function DeliveryList(props: {
  title: string;
  id: string;
  rows: BoardRow[];
  empty: string;
  lookups: Lookups;
  client: SyncClient;
  drivers: Driver[];
  onOutcome: OnOutcome;
}) {
  const late = props.rows.filter(
    (row) => lateBy(row.order, row.order.slotId ? props.lookups.slots.get(row.order.slotId) : undefined, props.lookups.now) !== undefined,
  );
  return (
    <section class="board-stage" aria-labelledby={props.id}>
      <h2 id={props.id}>
        {props.title} ({props.rows.length}){late.length > 0 ? <span class="late">, {late.length} late</span> : null}
      </h2>
      {props.rows.length === 0 ? <p class="hint">{props.empty}</p> : null}
      <ul aria-label={props.title}>
        {props.rows.map((row) => {
          const driver = driverName(props.drivers, row.order.driverId);
          return (
            <OrderCard key={row.order.id} row={row} lookups={props.lookups}>
              <p class="board-driver">{driver ? `Driver: ${driver}` : 'No driver yet'}</p>
              {row.order.status === 'ready' ? (
                <AssignDriver client={props.client} row={row} drivers={props.drivers} onOutcome={props.onOutcome} />
              ) : null}
              <MoveButtons
                client={props.client}
                row={row}
                board="deliveries"
                onOutcome={props.onOutcome}
                blocked={row.order.driverId ? {} : { outForDelivery: 'Assign a driver first.' }}
              />
            </OrderCard>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * Deliveries, live: ready orders waiting for a driver, ready ones with a
 * driver, and those out for delivery, soonest slot first; each late one
 * flagged with how late.
 */
export function DeliveriesBoard({ session, data }: { session: OwnerSession; data: BoardData }) {
  const { notice, onOutcome, dismiss } = useMoveNotice();
  const { drivers, error } = useDrivers(session);
  const board = deliveryBoard(data.rows, (slotId) => (slotId ? data.slots.get(slotId)?.start : undefined));
  const common = { lookups: data, client: session.client, drivers: drivers ?? [], onOutcome };
  return (
    <>
      <MoveNotice notice={notice} dismiss={dismiss} />
      {error ? <p class="error">{error}</p> : null}
      {drivers?.length === 0 && !error ? <p class="hint">No drivers yet — add one under Drivers.</p> : null}
      {data.loaded ? null : <p class="hint">Loading deliveries…</p>}
      <div class="board delivery-board">
        <DeliveryList
          title="Waiting for a driver"
          id="deliveries-pending"
          rows={board.pending}
          empty="No ready order waits for a driver."
          {...common}
        />
        <DeliveryList
          title="Driver assigned"
          id="deliveries-assigned"
          rows={board.assigned}
          empty="No order waits to go out."
          {...common}
        />
        <DeliveryList title="Out for delivery" id="deliveries-out" rows={board.out} empty="Nothing on the road." {...common} />
      </div>
    </>
  );
}
