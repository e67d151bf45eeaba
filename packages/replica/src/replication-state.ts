/**
 * The states of a collection's replication and every transition between
 * them, in one place. The push half and the pull half each keep one state,
 * changed only by `pushStateAfter` and `pullStateAfter` on the events named
 * here; the replication does what a state asks (start pushes, wait for a
 * retry) and reports it on `state$`.
 */

/**
 * The push half:
 * - `unstarted`: constructed, not yet started (a tab that does not lead);
 * - `scanning`: reading the writes a previous run left unsent, before any push;
 * - `idle`: nothing waits to be pushed and nothing is in flight;
 * - `pushing`: writes wait or are in flight (some may wait for their burst allowance);
 * - `waiting-for-retry`: a push failed; writes wait until the retry is due;
 * - `stopped`: cancelled; nothing more happens.
 */
export type PushState = 'unstarted' | 'scanning' | 'idle' | 'pushing' | 'waiting-for-retry' | 'stopped';

export type PushEvent =
  | { kind: 'start' }
  | { kind: 'scanned' }
  /** The app wrote: a push is due on the next turn. */
  | { kind: 'wrote' }
  /** Pushes were started where there was room: `busy` if any are in flight or writes still wait. */
  | { kind: 'pumped'; busy: boolean }
  | { kind: 'push-failed' }
  | { kind: 'retry-due' }
  | { kind: 'stop' };

export function pushStateAfter(state: PushState, event: PushEvent): PushState {
  if (state === 'stopped') return state;
  switch (event.kind) {
    case 'start':
      return state === 'unstarted' ? 'scanning' : state;
    case 'scanned':
      return state === 'scanning' ? 'idle' : state;
    case 'wrote':
      return state === 'idle' ? 'pushing' : state;
    case 'pumped':
      return state === 'idle' || state === 'pushing' ? (event.busy ? 'pushing' : 'idle') : state;
    case 'push-failed':
      return state === 'unstarted' ? state : 'waiting-for-retry';
    case 'retry-due':
      return state === 'waiting-for-retry' ? 'pushing' : state;
    case 'stop':
      return 'stopped';
  }
}

/** Whether the push half still has work before the device is in sync. */
export const pushBusy = (state: PushState) => state === 'scanning' || state === 'pushing' || state === 'waiting-for-retry';

/**
 * The pull half:
 * - `unstarted`: constructed, not yet started;
 * - `catching-up`: pulling from its checkpoint until the server has no more (at start, and when the stream reconnects);
 * - `live`: writing the live stream's changes as they come;
 * - `reconnecting`: a pull or a write failed; it is tried again after a wait;
 * - `stopped`: cancelled.
 */
export type PullState = 'unstarted' | 'catching-up' | 'live' | 'reconnecting' | 'stopped';

export type PullEvent = { kind: 'catch-up' } | { kind: 'caught-up' } | { kind: 'change-written' } | { kind: 'failed' } | { kind: 'stop' };

export function pullStateAfter(state: PullState, event: PullEvent): PullState {
  if (state === 'stopped') return state;
  switch (event.kind) {
    case 'catch-up':
      return 'catching-up';
    case 'caught-up':
      return 'live';
    case 'change-written':
      return state === 'reconnecting' ? 'live' : state;
    case 'failed':
      return state === 'unstarted' ? state : 'reconnecting';
    case 'stop':
      return 'stopped';
  }
}

/** The state of a collection the device writes; one it only reads has a pull half alone (`PullReplication.state$`). */
export type ReplicationState = { push: PushState; pull: PullState };
