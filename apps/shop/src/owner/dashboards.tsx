import { DeliveriesBoard } from './deliveries-board.tsx';
import { OrdersBoard } from './orders-board.tsx';
import type { OwnerSession } from './store-client.ts';
import { useBoard } from './use-board.ts';

/**
 * The owner's live dashboards over one set of watches: Orders (the prep
 * queue and the processor's health) or Deliveries. Changes are said in a
 * polite live region, so a screen reader hears new orders and moves.
 */
export function Dashboards({ session, tab }: { session: OwnerSession; tab: 'board' | 'deliveries' }) {
  const data = useBoard(session.client);
  return (
    <>
      <p class="visually-hidden" aria-live="polite">
        {data.news}
      </p>
      {tab === 'board' ? <OrdersBoard client={session.client} data={data} /> : <DeliveriesBoard session={session} data={data} />}
    </>
  );
}
