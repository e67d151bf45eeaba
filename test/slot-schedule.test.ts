import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem, DeliverySlot, SlotScheduleRow } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { storeCatalog } from './support/store-setup.ts';

const DAY = 86_400_000;
/** The processor's lease lasts this long: a processor started after a SIGKILL takes over within it. */
const PROCESSOR_ARGS = ['--lease-ttl-ms', '1500', '--slot-days', '14'];

/** A row whose slots fall three and ten days from now, whatever the time of day the test runs: two within the 14 days. */
function rowInThreeDays(): SlotScheduleRow {
  const day = new Date(Date.now() + 3 * DAY);
  return {
    id: randomUUID(),
    weekday: day.getUTCDay() || 7,
    start: '12:00',
    durationMinutes: 60,
    capacity: 5,
    closesMinutesBefore: 30,
    timeZone: 'UTC',
  };
}

const noon = (daysAhead: number) => {
  const day = new Date(Date.now() + daysAhead * DAY);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12)).toISOString();
};

describe('delivery slots generated from the weekly schedule by the processor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-slot-schedule-'));
  let server: ServerProcess | undefined;
  const processors: ProcessorProcess[] = [];
  afterAll(async () => {
    await Promise.all(processors.map((processor) => processor.kill()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'appear when a row is written, survive a SIGKILLed processor without a duplicate, follow a new capacity never below the places taken, and go with their row unless taken',
    { timeout: 120_000 },
    async () => {
      server = await startServerProcess(dir);
      const store = storeOwnerClient(server);
      const slotsOf = async (row: SlotScheduleRow) => {
        const { documents } = await store.sync.pull.query({ collection: 'availability', checkpoint: null, limit: 1000 });
        return (documents.filter((slot) => !slot._deleted && slot['scheduleId'] === row.id) as unknown as DeliverySlot[]).sort((a, b) =>
          a.start.localeCompare(b.start),
        );
      };
      const writeRow = (before: SlotScheduleRow | null, after: SlotScheduleRow, deleted = false) =>
        store.sync.push.mutate({
          collection: 'slotSchedule',
          rows: [{ assumedMasterState: before && { ...before, _deleted: false }, newDocumentState: { ...after, _deleted: deleted } }],
        });

      const row = rowInThreeDays();
      await writeRow(null, row);
      processors.push(startProcessorProcess(server, PROCESSOR_ARGS));
      await waitFor('the row’s two slots', async () => (await slotsOf(row)).length === 2, 30_000);
      const [first, second] = await slotsOf(row);
      expect([first?.start, second?.start]).toEqual([noon(3), noon(10)]);
      expect(first).toMatchObject({
        end: noon(3).replace('12:00', '13:00'),
        cutoff: noon(3).replace('12:00:00', '11:30:00'),
        capacity: 5,
        taken: 0,
      });

      // Two orders take places in the first slot, through the processor.
      const catalog = await storeCatalog(store);
      const shopper = await createShopper(server, 1, 'tok_visa_1');
      for (let n = 0; n < 2; n += 1)
        await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[0] as CatalogItem, count: 1 }], slot: first ?? null });
      await waitFor('two places taken', async () => (await slotsOf(row))[0]?.taken === 2, 30_000);

      // Killed and started again, the processor writes the same slots: nothing twice, the places taken kept.
      await processors[0]?.kill();
      const restarted = startProcessorProcess(server, PROCESSOR_ARGS);
      processors.push(restarted);
      await waitFor(
        'the restarted processor to hold the lease',
        () => restarted.lines.some((line) => line['message'] === 'holding the processor lease'),
        30_000,
      );
      const shrunk = { ...row, capacity: 1 };
      await writeRow(row, shrunk);
      await waitFor('the second slot to take the new capacity', async () => (await slotsOf(row))[1]?.capacity === 1, 30_000);
      const afterRestart = await slotsOf(row);
      expect(afterRestart.map((slot) => slot.id)).toEqual([first?.id, second?.id]);
      // Two places are taken in the first: its capacity goes no lower.
      expect(afterRestart.map((slot) => [slot.capacity, slot.taken])).toEqual([
        [2, 2],
        [1, 0],
      ]);

      // The row removed: the slot no order took goes, the one with orders stays.
      await writeRow(shrunk, shrunk, true);
      await waitFor('the untaken slot to go', async () => (await slotsOf(row)).length === 1, 30_000);
      expect((await slotsOf(row)).map((slot) => [slot.id, slot.taken])).toEqual([[first?.id, 2]]);
    },
  );

  it('refuses a row with a zone Intl does not know or a slot past midnight, saying why, and shows the schedule to no shopper', async () => {
    server ??= await startServerProcess(dir);
    const store = storeOwnerClient(server);
    const push = (row: SlotScheduleRow) =>
      store.sync.push.mutate({
        collection: 'slotSchedule',
        rows: [{ assumedMasterState: null, newDocumentState: { ...row, _deleted: false } }],
      });
    await expect(push({ ...rowInThreeDays(), timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(/expected an IANA time zone/);
    await expect(push({ ...rowInThreeDays(), start: '23:30', durationMinutes: 60 })).rejects.toThrow(/runs past midnight/);
    const shopper = await createShopper(server, 2, 'tok_visa_2');
    await expect(shopper.client.sync.pull.query({ collection: 'slotSchedule', checkpoint: null, limit: 10 })).rejects.toThrow(
      /may not read/,
    );
    await expect(
      shopper.client.sync.push.mutate({
        collection: 'slotSchedule',
        rows: [{ assumedMasterState: null, newDocumentState: { ...rowInThreeDays(), _deleted: false } }],
      }),
    ).rejects.toThrow(/may not/);
  });
});
