import type { SyncClient } from '@pourover/sync-client';
import { useEffect, useState } from 'preact/hooks';
import { formatHour, formatTime, plural } from '../format.ts';
import { explain } from '../words/error-words.ts';
import { leaseState, PROCESSOR_LEASE, queueHealth, type BoardRow, type LeaseState } from './board-groups.ts';

/** How often the board asks who holds the processor's lease: the processor renews it every tenth of its 10 s life. */
const POLL_MS = 5_000;

/** The processor's lease as the server holds it, asked every few seconds; an error in words when the server can't say. */
function useProcessorLease(client: SyncClient): { state: LeaseState | null; error: string | null } {
  const [state, setState] = useState<LeaseState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const ask = () =>
      client.sync.leaseHolder.query({ name: PROCESSOR_LEASE }).then(
        ({ lease, now }) => {
          if (stopped) return;
          setState(leaseState(lease, now));
          setError(null);
        },
        (failure: unknown) => !stopped && setError(explain(failure).sentence),
      );
    void ask();
    const timer = setInterval(() => void ask(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client]);
  return { state, error };
}

function leaseWords(state: LeaseState | null): string {
  if (state === null) return 'Asking the server…';
  switch (state.kind) {
    case 'none':
      return 'Not running: no processor holds the lease.';
    case 'held':
      return `Running: processor ${state.holder} holds the lease until ${formatHour(state.until)}.`;
    case 'lapsed':
      return `Stopped: processor ${state.holder}’s lease ran out at ${formatTime(state.since)}.`;
  }
}

/**
 * The order processor's health: who holds its lease (from the server), how
 * many placed orders wait for it and since when, and when it last received
 * one (from the board's watches).
 */
export function ProcessorHealth({ client, placed, processed }: { client: SyncClient; placed: BoardRow[]; processed: BoardRow[] }) {
  const { state, error } = useProcessorLease(client);
  const queue = queueHealth(placed, processed);
  return (
    <section class={`processor-health health-${state?.kind ?? 'unknown'}`} aria-labelledby="processor-heading">
      <h2 id="processor-heading">Order processor</h2>
      <dl>
        <dt>Lease</dt>
        <dd>{error ?? leaseWords(state)}</dd>
        <dt>Queue</dt>
        <dd>
          {plural(queue.waiting, 'order')} waiting
          {queue.oldestWaiting ? `, the oldest placed ${formatTime(queue.oldestWaiting)}` : ''}
        </dd>
        <dt>Last order processed</dt>
        <dd>{queue.lastProcessed ? formatTime(queue.lastProcessed) : 'None yet'}</dd>
      </dl>
    </section>
  );
}
