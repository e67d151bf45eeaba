import { describe, expect, it } from 'vitest';
import { lateBy, lateWords } from './lateness.ts';

const slot = { end: '2026-12-05T12:00:00.000Z' };
const at = (time: string) => new Date(`2026-12-05T${time}Z`);

describe('a late delivery', () => {
  it('is an order not yet delivered whose slot has ended, by how long', () => {
    expect(lateBy({ status: 'outForDelivery' }, slot, at('12:25:00'))).toBe(25 * 60_000);
    expect(lateBy({ status: 'ready' }, slot, at('12:00:01'))).toBe(1_000);
    expect(lateBy({ status: 'received' }, slot, at('13:00:00'))).toBe(3_600_000);
  });

  it('is never one still inside its slot, delivered, ended, or without a slot', () => {
    expect(lateBy({ status: 'outForDelivery' }, slot, at('12:00:00'))).toBeUndefined();
    expect(lateBy({ status: 'outForDelivery' }, slot, at('11:59:00'))).toBeUndefined();
    for (const status of ['delivered', 'cancelled', 'rejected'] as const) expect(lateBy({ status }, slot, at('18:00:00'))).toBeUndefined();
    expect(lateBy({ status: 'ready' }, undefined, at('18:00:00'))).toBeUndefined();
  });

  it('says how late in minutes, hours and minutes, or days', () => {
    expect(lateWords(1_000)).toBe('Late by 1 min');
    expect(lateWords(25 * 60_000)).toBe('Late by 25 min');
    expect(lateWords(60 * 60_000)).toBe('Late by 1 h');
    expect(lateWords(125 * 60_000)).toBe('Late by 2 h 5 min');
    expect(lateWords(24 * 3_600_000)).toBe('Late by 1 day');
    expect(lateWords(80 * 3_600_000)).toBe('Late by 3 days');
  });
});
