import { describe, expect, it } from 'vitest';
import {
  pullStateAfter,
  pushBusy,
  pushStateAfter,
  type PullEvent,
  type PullState,
  type PushEvent,
  type PushState,
} from './replication-state.ts';

const pushThrough = (events: PushEvent[], from: PushState = 'unstarted') => {
  const states: PushState[] = [];
  let state = from;
  for (const event of events) states.push((state = pushStateAfter(state, event)));
  return states;
};

const pullThrough = (events: PullEvent[], from: PullState = 'unstarted') => {
  const states: PullState[] = [];
  let state = from;
  for (const event of events) states.push((state = pullStateAfter(state, event)));
  return states;
};

describe('the push state', () => {
  it('scans before it pushes, and is idle once nothing waits or flies', () => {
    expect(
      pushThrough([
        { kind: 'start' },
        { kind: 'wrote' },
        { kind: 'scanned' },
        { kind: 'pumped', busy: true },
        { kind: 'pumped', busy: false },
      ]),
    ).toEqual(['scanning', 'scanning', 'idle', 'pushing', 'idle']);
  });

  it('waits for the retry after a failed push, whatever else happens, then pushes again', () => {
    expect(
      pushThrough(
        [
          { kind: 'push-failed' },
          { kind: 'wrote' },
          { kind: 'pumped', busy: false },
          { kind: 'retry-due' },
          { kind: 'pumped', busy: false },
        ],
        'pushing',
      ),
    ).toEqual(['waiting-for-retry', 'waiting-for-retry', 'waiting-for-retry', 'pushing', 'idle']);
  });

  it('stays stopped: no event starts anything after a stop', () => {
    const events: PushEvent[] = [
      { kind: 'start' },
      { kind: 'scanned' },
      { kind: 'wrote' },
      { kind: 'pumped', busy: true },
      { kind: 'push-failed' },
      { kind: 'retry-due' },
    ];
    expect(pushThrough(events, 'stopped').every((state) => state === 'stopped')).toBe(true);
  });

  it('counts as busy, for awaitInSync, while scanning, pushing or waiting to retry', () => {
    const states: PushState[] = ['unstarted', 'scanning', 'idle', 'pushing', 'waiting-for-retry', 'stopped'];
    expect(states.filter(pushBusy)).toEqual(['scanning', 'pushing', 'waiting-for-retry']);
  });
});

describe('the pull state', () => {
  it('catches up from its checkpoint, then follows the stream live, and catches up again when the stream reconnects', () => {
    expect(
      pullThrough([{ kind: 'catch-up' }, { kind: 'caught-up' }, { kind: 'change-written' }, { kind: 'catch-up' }, { kind: 'caught-up' }]),
    ).toEqual(['catching-up', 'live', 'live', 'catching-up', 'live']);
  });

  it('reconnects after a failure, and is live again once a pull or a change gets through', () => {
    expect(pullThrough([{ kind: 'failed' }, { kind: 'change-written' }], 'live')).toEqual(['reconnecting', 'live']);
    expect(pullThrough([{ kind: 'failed' }, { kind: 'catch-up' }, { kind: 'caught-up' }], 'catching-up')).toEqual([
      'reconnecting',
      'catching-up',
      'live',
    ]);
  });

  it('stays stopped', () => {
    expect(pullThrough([{ kind: 'catch-up' }, { kind: 'caught-up' }, { kind: 'failed' }], 'stopped')).toEqual([
      'stopped',
      'stopped',
      'stopped',
    ]);
  });
});
