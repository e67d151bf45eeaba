import type { Shop } from '@pourover/orders';
import { useMemo } from 'preact/hooks';
import { tabStatus$ } from './tab-status.ts';
import { useObservable } from './use-observable.ts';

const words = { offline: 'Offline', connecting: 'Connecting…', syncing: 'Syncing…', idle: 'Up to date' } as const;

/** Whether the device (whichever of its tabs syncs it) is offline, syncing or up to date, and how many changes wait to be sent. */
export function StatusBar({ shop }: { shop: Shop }) {
  const status = useObservable(useMemo(() => tabStatus$(shop), [shop]), { state: 'connecting' as const, unsent: 0, lastError: null });
  return (
    <p class={`status status-${status.state}`} role="status" aria-live="polite">
      {words[status.state]}
      {status.unsent > 0 ? ` · ${status.unsent} change${status.unsent === 1 ? '' : 's'} not sent yet` : ''}
    </p>
  );
}
