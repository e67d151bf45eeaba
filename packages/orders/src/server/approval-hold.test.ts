import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORE, STORE_SETTINGS_ID } from '@pourover/schemas';
import { SqliteStore } from '@pourover/sync-server';
import { describe, expect, it } from 'vitest';
import { approvalHold } from './approval-hold.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const order = { totalCents: 5_000, slotId: null };

/** The hold a real SQLite store gives an order of 50.00, with the store's settings document stored as `settings`. */
async function holdWith(settings: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-approval-hold-'));
  const store = new SqliteStore({ file: join(dir, 'pourover.sqlite') });
  try {
    const document = { id: STORE_SETTINGS_ID, ...settings, _deleted: false };
    await store.commit(STORE, [{ collection: 'storeSettings', document, expect: { kind: 'none' } }], 'each');
    return await approvalHold(store, order, NOW);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the approval hold, read from the stored settings', () => {
  it('holds an order above the threshold for the set wait, and none at or below it', async () => {
    expect(await holdWith({ approvalAboveCents: 4_000, approvalMinutes: 10 })).toEqual({ approveBy: '2026-12-05T12:10:00.000Z' });
    expect(await holdWith({ approvalAboveCents: 5_000, approvalMinutes: 10 })).toBeUndefined();
  });

  it('reads settings a newer release wrote with a field this one does not know', async () => {
    expect(await holdWith({ approvalAboveCents: 4_000, approvalMinutes: 10, approvalNote: 'call first' })).toEqual({
      approveBy: '2026-12-05T12:10:00.000Z',
    });
  });

  it('holds every order, for the default 30 minutes, when the stored settings cannot be read', async () => {
    expect(await holdWith({ approvalAboveCents: 'a lot', approvalMinutes: 10 })).toEqual({ approveBy: '2026-12-05T12:30:00.000Z' });
    expect(await holdWith({ approvalAboveCents: 9_000, approvalMinutes: -5 })).toEqual({ approveBy: '2026-12-05T12:30:00.000Z' });
  });
});
