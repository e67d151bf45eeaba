import { PouroverError, type WireDocument } from '@pourover/protocol';
import { minutesOfDay } from '@pourover/schemas';
import type { CollectionHooks } from '@pourover/sync-server/app';

const DAY_MINUTES = 24 * 60;

/**
 * Refuses a schedule row whose slot would run past local midnight: each
 * generated slot belongs to one local date (its id is made of the row and
 * that date), so a slot may end at midnight but not after it.
 */
export function checkScheduleRow(document: WireDocument, where: string): void {
  const start = minutesOfDay(String(document['start']));
  const duration = Number(document['durationMinutes']);
  if (start + duration > DAY_MINUTES) {
    throw new PouroverError(
      'BAD_INPUT',
      `${where}: a slot starting at ${String(document['start'])} for ${duration} minutes runs past midnight; end it by 24:00`,
    );
  }
}

/** The server's rules for the weekly schedule, beyond its schema. */
export const slotScheduleHooks: CollectionHooks = { check: checkScheduleRow };
