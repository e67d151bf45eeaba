import { describe, expect, it } from 'vitest';
import { parseMinutes, settingsOf } from './approval-fields.ts';
import { movesOn } from './board-moves.ts';

describe('the owner’s approval setting', () => {
  it('makes the store’s settings from the form, off or with an amount and a wait', () => {
    expect(settingsOf({ on: true, above: '$50', minutes: '30' })).toEqual({
      ok: true,
      settings: { id: 'store', approvalAboveCents: 5_000, approvalMinutes: 30 },
    });
    expect(settingsOf({ on: false, above: 'anything', minutes: '15' })).toEqual({
      ok: true,
      settings: { id: 'store', approvalAboveCents: null, approvalMinutes: 15 },
    });
  });

  it('says what is wrong with each field', () => {
    expect(settingsOf({ on: true, above: '-3', minutes: '0' })).toEqual({
      ok: false,
      errors: { above: 'A price cannot be negative.', minutes: 'An order waits at least 1 minute.' },
    });
    expect(parseMinutes('1441')).toEqual({ ok: false, error: 'An order waits at most 1,440 minutes (a day).' });
    expect(parseMinutes('2.5')).toEqual({ ok: false, error: 'Enter a whole number of minutes, like 30.' });
  });

  it('offers approve, cancel and reject on a waiting order, and approve on no other', () => {
    expect(movesOn('awaitingApproval', 'orders').map((move) => move.label)).toEqual(['Approve', 'Cancel', 'Reject']);
    expect(movesOn('received', 'orders').map((move) => move.label)).not.toContain('Approve');
  });
});
