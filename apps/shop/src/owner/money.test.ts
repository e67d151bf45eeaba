import { describe, expect, it } from 'vitest';
import { localInputOf, parseCapacity, parseCutoff, parseDollars } from './money.ts';

describe('what the owner types in the editor', () => {
  it('takes prices in dollars and keeps them in cents', () => {
    expect(parseDollars('19.99')).toEqual({ ok: true, value: 1999 });
    expect(parseDollars('$4.5')).toEqual({ ok: true, value: 450 });
    expect(parseDollars('1,250')).toEqual({ ok: true, value: 125_000 });
    expect(parseDollars('0')).toEqual({ ok: true, value: 0 });
  });

  it('refuses a negative price, a third decimal, words and an empty field, each in a sentence', () => {
    expect(parseDollars('-100')).toEqual({ ok: false, error: 'A price cannot be negative.' });
    expect(parseDollars('19.999')).toMatchObject({ ok: false, error: expect.stringMatching(/two digits of cents/) });
    expect(parseDollars('cheap')).toMatchObject({ ok: false });
    expect(parseDollars(' ')).toMatchObject({ ok: false, error: expect.stringMatching(/^Enter a price/) });
    expect(parseDollars('2000000')).toMatchObject({ ok: false, error: expect.stringMatching(/at most/) });
  });

  it('takes a capacity of whole places, not below those taken', () => {
    expect(parseCapacity('12', 3)).toEqual({ ok: true, value: 12 });
    expect(parseCapacity('2.5', 0)).toMatchObject({ ok: false, error: expect.stringMatching(/whole number/) });
    expect(parseCapacity('2', 3)).toMatchObject({ ok: false, error: expect.stringMatching(/3 places are already taken/) });
  });

  it('takes a cutoff in the owner’s time zone, before the slot starts', () => {
    const start = '2026-12-08T15:00:00.000Z';
    const before = localInputOf('2026-12-08T14:00:00.000Z');
    expect(parseCutoff(before, start)).toEqual({ ok: true, value: '2026-12-08T14:00:00.000Z' });
    expect(parseCutoff(localInputOf('2026-12-08T16:00:00.000Z'), start)).toMatchObject({ ok: false });
    expect(parseCutoff('', start)).toMatchObject({ ok: false });
  });
});
