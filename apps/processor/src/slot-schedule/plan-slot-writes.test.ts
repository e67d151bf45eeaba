import type { DeliverySlot, SlotScheduleRow } from '@pourover/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSlotWrites, type SlotWrite } from './plan-slot-writes.ts';

const DAY = 86_400_000;
const now = new Date('2026-03-04T12:00:00Z');

const rowArbitrary = fc.record({
  id: fc.uuid({ version: 4 }),
  weekday: fc.integer({ min: 1, max: 7 }),
  start: fc.constantFrom('02:30', '09:00', '12:15', '17:00', '23:00'),
  durationMinutes: fc.integer({ min: 15, max: 60 }),
  capacity: fc.integer({ min: 0, max: 20 }),
  closesMinutesBefore: fc.integer({ min: 0, max: 3_000 }),
  timeZone: fc.constantFrom('UTC', 'America/Los_Angeles', 'Europe/Berlin'),
});

/** Applies writes as the server would (each precondition holds: nothing else wrote in between). */
function apply(held: Map<string, DeliverySlot>, writes: readonly SlotWrite[]): Map<string, DeliverySlot> {
  const next = new Map(held);
  for (const write of writes) {
    if (write.kind === 'create') {
      expect(next.has(write.slot.id), 'a slot is created only where none is').toBe(false);
      next.set(write.slot.id, write.slot);
    } else {
      expect(next.get(write.before.id), 'a change is planned over the state held').toEqual(write.before);
      if (write.kind === 'delete') next.delete(write.before.id);
      else next.set(write.after.id, write.after);
    }
  }
  return next;
}

const plan = (rows: readonly SlotScheduleRow[], held: Map<string, DeliverySlot>, at = now, horizonDays = 14) =>
  planSlotWrites({ rows, held, now: at, horizonDays });

describe('planning the slots from the schedule', () => {
  it('creates each slot of the horizon once: planning again, after a restart or by a second processor, writes nothing (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { maxLength: 5 }), fc.integer({ min: 1, max: 28 }), (rows, days) => {
        const held = apply(new Map(), plan(rows, new Map(), now, days));
        for (const slot of held.values()) {
          expect(Date.parse(slot.start)).toBeLessThan(now.getTime() + days * DAY);
          expect(Date.parse(slot.cutoff)).toBeGreaterThan(now.getTime());
        }
        expect(plan(rows, held, now, days)).toEqual([]);
      }),
      { seed: 20261208, numRuns: 200 },
    );
  });

  it('after any change of the rows, never sets a capacity below its places taken, keeps every slot with orders and every slot started, and settles (property)', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 60, maxLength: 60 }),
        fc.array(
          fc.oneof(
            fc.constant('remove' as const),
            fc.constant('keep' as const),
            fc.integer({ min: 0, max: 20 }),
            fc.constantFrom('08:00', '09:00'),
          ),
          { minLength: 5, maxLength: 5 },
        ),
        fc.integer({ min: 0, max: 4 * DAY }),
        (rows, takens, changes, later) => {
          const created = apply(new Map(), plan(rows, new Map()));
          // Shoppers took places, up to each slot's capacity.
          const held = new Map(
            [...created.values()].map((slot, index) => [
              slot.id,
              { ...slot, taken: Math.min(slot.capacity, takens[index % takens.length] ?? 0) },
            ]),
          );
          const changed = rows.flatMap((row, index): SlotScheduleRow[] => {
            const change = changes[index];
            if (change === 'remove') return [];
            if (typeof change === 'number') return [{ ...row, capacity: change }];
            if (change === '08:00' || change === '09:00') return [{ ...row, start: change }];
            return [row];
          });
          const at = new Date(now.getTime() + later);
          const after = apply(held, plan(changed, held, at));
          for (const slot of held.values()) {
            const kept = after.get(slot.id);
            if (slot.taken > 0 || Date.parse(slot.start) <= at.getTime()) expect(kept, 'kept').toBeDefined();
            if (Date.parse(slot.start) <= at.getTime()) expect(kept).toEqual(slot);
          }
          for (const slot of after.values()) expect(slot.capacity).toBeGreaterThanOrEqual(slot.taken);
          for (const slot of after.values()) {
            const source = changed.find((row) => row.id === slot.scheduleId);
            if (source && Date.parse(slot.start) > at.getTime() && held.has(slot.id))
              expect(slot.capacity).toBe(Math.max(source.capacity, slot.taken));
          }
          expect(plan(changed, after, at)).toEqual([]);
        },
      ),
      { seed: 20261209, numRuns: 200 },
    );
  });

  it('leaves hand-made slots alone, and deletes a removed row’s future slots only where no order took a place', () => {
    const row: SlotScheduleRow = {
      id: '00000000-0000-4000-8000-000000000001',
      weekday: 4,
      start: '09:00',
      durationMinutes: 60,
      capacity: 5,
      closesMinutesBefore: 30,
      timeZone: 'UTC',
    };
    const handMade: DeliverySlot = {
      id: '00000000-0000-4000-8000-0000000000aa',
      start: '2026-03-10T09:00:00.000Z',
      end: '2026-03-10T10:00:00.000Z',
      capacity: 1,
      taken: 0,
      cutoff: '2026-03-10T08:00:00.000Z',
    };
    const created = apply(new Map([[handMade.id, handMade]]), plan([row], new Map([[handMade.id, handMade]])));
    expect([...created.values()].map((slot) => slot.start)).toEqual([
      handMade.start,
      '2026-03-05T09:00:00.000Z',
      '2026-03-12T09:00:00.000Z',
    ]);
    const [first, second] = [...created.values()].filter((slot) => slot.scheduleId);
    if (!first || !second) throw new Error('two generated slots');
    created.set(first.id, { ...first, taken: 2 });
    expect(plan([], created)).toEqual([{ kind: 'delete', before: second }]);
  });
});
