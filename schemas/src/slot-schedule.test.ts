import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { slotScheduleRow } from './index.ts';

const row = {
  id: '00000000-0000-4000-8000-000000000001',
  weekday: 1,
  start: '09:30',
  durationMinutes: 120,
  capacity: 10,
  closesMinutesBefore: 60,
  timeZone: 'America/Los_Angeles',
};

const problem = (input: unknown) => {
  const result = slotScheduleRow.safeParse(input);
  return result.success ? '' : z.prettifyError(result.error);
};

describe('a weekly schedule row', () => {
  it('accepts a weekday, a local start, a duration, a capacity, a closing time and an IANA zone', () => {
    expect(problem(row)).toBe('');
    expect(problem({ ...row, weekday: 7, start: '23:59', timeZone: 'UTC' })).toBe('');
  });

  it('refuses a zone Intl does not know, saying what a zone looks like', () => {
    expect(problem({ ...row, timeZone: 'Mars/Olympus_Mons' })).toContain('expected an IANA time zone');
    expect(problem({ ...row, timeZone: '' })).toContain('expected a time zone');
  });

  it('refuses times, weekdays and durations out of range, each with its own message', () => {
    expect(problem({ ...row, start: '24:00' })).toContain('HH:MM');
    expect(problem({ ...row, start: '9:30' })).toContain('HH:MM');
    expect(problem({ ...row, weekday: 0 })).toContain('1 (Monday) to 7 (Sunday)');
    expect(problem({ ...row, durationMinutes: 5 })).toContain('at least 15 minutes');
    expect(problem({ ...row, capacity: -1 })).toContain('0 or more');
    expect(problem({ ...row, closesMinutesBefore: 20_000 })).toContain('at most a week');
    expect(problem({ ...row, extra: true })).not.toBe('');
  });
});
