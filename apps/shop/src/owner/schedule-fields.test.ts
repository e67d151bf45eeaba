import { describe, expect, it } from 'vitest';
import { newRowFields, parseRow } from './schedule-fields.ts';

const id = '00000000-0000-4000-8000-000000000001';

describe('a weekly schedule row as the owner types it', () => {
  it('becomes the row the server keeps', () => {
    expect(parseRow(id, newRowFields, 'Europe/Paris')).toEqual({
      ok: true,
      row: { id, weekday: 1, start: '10:00', durationMinutes: 120, capacity: 10, closesMinutesBefore: 60, timeZone: 'Europe/Paris' },
    });
  });

  it('says what is wrong with each field, as the server would', () => {
    const typed = { ...newRowFields, start: '', capacity: 'ten', closesMinutesBefore: '99999' };
    expect(parseRow(id, typed, 'Nowhere/Atlantis')).toEqual({
      ok: false,
      errors: {
        start: 'Expected a time of day as HH:MM, 00:00 to 23:59.',
        capacity: 'Enter a whole number.',
        closesMinutesBefore: 'Orders close at most a week before the start.',
        timeZone: 'Expected an IANA time zone, such as America/Los_Angeles.',
      },
    });
    expect(parseRow(id, { ...newRowFields, start: '23:00', durationMinutes: '90' }, 'UTC')).toEqual({
      ok: false,
      errors: { durationMinutes: 'A slot ends by midnight: start it earlier or make it shorter.' },
    });
  });
});
