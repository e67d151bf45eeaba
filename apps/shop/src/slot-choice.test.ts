import type { DeliverySlot } from '@pourover/schemas';
import { describe, expect, it } from 'vitest';
import { nextCutoff, openSlots } from './slot-choice.ts';

const now = Date.parse('2026-12-07T10:00:00.000Z');
const slot = (id: string, start: string, cutoff: string, taken = 0): DeliverySlot => ({
  id,
  start,
  end: start.replace(/T(\d\d)/, (_, hour: string) => `T${String(Number(hour) + 1).padStart(2, '0')}`),
  capacity: 2,
  taken,
  cutoff,
});
const started = slot('started', '2026-12-07T09:30:00.000Z', '2026-12-07T09:00:00.000Z');
const closed = slot('closed', '2026-12-07T10:30:00.000Z', '2026-12-07T10:00:00.000Z');
const later = slot('later', '2026-12-07T15:00:00.000Z', '2026-12-07T14:00:00.000Z');
const soon = slot('soon', '2026-12-07T12:00:00.000Z', '2026-12-07T11:00:00.000Z', 2);

describe('the slots the picker offers', () => {
  it('hides started and closed slots, keeps full ones, soonest first, at most the limit', () => {
    expect(openSlots([later, started, closed, soon], now, 9).map((each) => each.id)).toEqual(['soon', 'later']);
    expect(openSlots([later, soon], now, 1).map((each) => each.id)).toEqual(['soon']);
  });

  it('looks again when the next slot closes, and as each closes the slot goes', () => {
    const slots = [later, started, closed, soon];
    expect(nextCutoff(slots, now)).toBe(Date.parse(soon.cutoff));
    const then = nextCutoff(slots, now) ?? 0;
    expect(openSlots(slots, then, 9).map((each) => each.id)).toEqual(['later']);
    expect(nextCutoff(slots, then)).toBe(Date.parse(later.cutoff));
    expect(nextCutoff(slots, Date.parse(later.cutoff))).toBeUndefined();
  });
});
