import type { SlotScheduleRow } from '@pourover/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slotsFromSchedule } from './generate-slots.ts';
import { isoWeekday, localDateAt, localTimeAt, offsetAt } from './zoned-time.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** Zones with DST both ways, half-hour offsets and a half-hour DST (Lord Howe), and none. */
const zones = ['UTC', 'America/Los_Angeles', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham'];

const row = (fields: Partial<SlotScheduleRow> = {}): SlotScheduleRow => ({
  id: '00000000-0000-4000-8000-000000000001',
  weekday: 1,
  start: '09:00',
  durationMinutes: 120,
  capacity: 10,
  closesMinutesBefore: 60,
  timeZone: 'America/Los_Angeles',
  ...fields,
});

const rowArbitrary = fc.record({
  id: fc.uuid({ version: 4 }),
  weekday: fc.integer({ min: 1, max: 7 }),
  start: fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  durationMinutes: fc.integer({ min: 15, max: 720 }),
  capacity: fc.integer({ min: 0, max: 50 }),
  closesMinutesBefore: fc.integer({ min: 0, max: 10_080 }),
  timeZone: fc.constantFrom(...zones),
});
const rangeArbitrary = fc
  .tuple(
    fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
    fc.integer({ min: 0, max: 60 * DAY }),
  )
  .map(([from, length]) => ({ from, to: new Date(from.getTime() + length) }));

describe('slots generated from the weekly schedule', () => {
  it('start on the row’s weekday at its local time, last its duration and close its minutes before, for any range (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { maxLength: 4 }), rangeArbitrary, (rows, range) => {
        for (const slot of slotsFromSchedule(rows, range)) {
          const source = rows.find((each) => each.id === slot.scheduleId);
          if (!source) throw new Error(`slot ${slot.id} names no row`);
          const start = Date.parse(slot.start);
          expect(start).toBeGreaterThanOrEqual(range.from.getTime());
          expect(start).toBeLessThan(range.to.getTime());
          expect(isoWeekday(localDateAt(start, source.timeZone))).toBe(source.weekday);
          const local = localTimeAt(start, source.timeZone);
          // Only a time the clocks skip (set forward over it) reads otherwise: later, by the gap, with the offset changing there.
          if (local !== source.start) {
            expect(offsetAt(start - 3 * HOUR, source.timeZone)).not.toBe(offsetAt(start + 3 * HOUR, source.timeZone));
            expect(local > source.start || source.start >= '23:00').toBe(true);
          }
          expect(Date.parse(slot.end) - start).toBe(source.durationMinutes * 60_000);
          expect(start - Date.parse(slot.cutoff)).toBe(source.closesMinutesBefore * 60_000);
          expect(slot).toMatchObject({ capacity: source.capacity, taken: 0 });
        }
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });

  it('miss no week: each row’s slots are a week apart (give or take a DST shift) and reach both ends of the range (property)', () => {
    fc.assert(
      fc.property(rowArbitrary, rangeArbitrary, (source, range) => {
        const starts = slotsFromSchedule([source], range).map((slot) => Date.parse(slot.start));
        const from = range.from.getTime();
        const to = range.to.getTime();
        const [first, last] = [starts[0] ?? to, starts.at(-1) ?? from];
        expect(first - from).toBeLessThan(WEEK + 2 * HOUR);
        expect(to - last).toBeLessThanOrEqual(WEEK + 2 * HOUR);
        for (let index = 1; index < starts.length; index += 1)
          expect(Math.abs((starts[index] ?? 0) - (starts[index - 1] ?? 0) - WEEK)).toBeLessThanOrEqual(2 * HOUR);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it('are the same slots, ids included, however the range is cut and however often generated (property)', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 4 }),
        rangeArbitrary,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, range, cut) => {
          const middle = new Date(range.from.getTime() + Math.floor((range.to.getTime() - range.from.getTime()) * cut));
          const whole = slotsFromSchedule(rows, range);
          const parts = [
            ...slotsFromSchedule(rows, { from: range.from, to: middle }),
            ...slotsFromSchedule(rows, { from: middle, to: range.to }),
          ];
          expect(parts.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id))).toEqual(whole);
          expect(slotsFromSchedule(rows, range)).toEqual(whole);
          expect(new Set(whole.map((slot) => slot.id)).size).toBe(whole.length);
        },
      ),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it('keep the local time across a DST change: 09:00 in Los Angeles is 17:00 UTC before 8 March 2026 and 16:00 UTC after', () => {
    const slots = slotsFromSchedule([row()], { from: new Date('2026-02-28T00:00:00Z'), to: new Date('2026-03-14T00:00:00Z') });
    expect(slots.map((slot) => [slot.start, slot.end, slot.cutoff])).toEqual([
      ['2026-03-02T17:00:00.000Z', '2026-03-02T19:00:00.000Z', '2026-03-02T16:00:00.000Z'],
      ['2026-03-09T16:00:00.000Z', '2026-03-09T18:00:00.000Z', '2026-03-09T15:00:00.000Z'],
    ]);
    const berlin = slotsFromSchedule([row({ weekday: 7, start: '12:00', timeZone: 'Europe/Berlin' })], {
      from: new Date('2026-10-20T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
    });
    expect(berlin.map((slot) => slot.start)).toEqual(['2026-10-25T11:00:00.000Z', '2026-11-01T11:00:00.000Z']);
    expect(berlin.map((slot) => localTimeAt(Date.parse(slot.start), 'Europe/Berlin'))).toEqual(['12:00', '12:00']);
  });

  it('moves a time the clocks skip forward by the gap, and takes the first of a time that happens twice', () => {
    const range = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') };
    const skipped = slotsFromSchedule([row({ weekday: 7, start: '02:30' })], { ...range, to: new Date('2026-03-09T00:00:00Z') });
    expect(skipped.map((slot) => slot.start)).toEqual(['2026-03-01T10:30:00.000Z', '2026-03-08T10:30:00.000Z']);
    expect(localTimeAt(Date.parse(skipped[1]?.start ?? ''), 'America/Los_Angeles')).toBe('03:30');
    const twice = slotsFromSchedule([row({ weekday: 7, start: '01:30' })], { from: new Date('2026-10-31T00:00:00Z'), to: range.to });
    expect(twice.map((slot) => slot.start)).toEqual(['2026-11-01T08:30:00.000Z']);
  });
});
