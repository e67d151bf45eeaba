import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { derivedFields, emptyDraftUpdate, type Order } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from './journal.ts';

const dir = mkdtempSync(join(tmpdir(), 'pourover-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ID = '00000000-0000-4000-8000-000000000001';
const order: Order = {
  id: ID,
  status: 'placed',
  ydoc: emptyDraftUpdate(),
  ...derivedFields(emptyDraftUpdate(), () => 0),
  createdTime: '2026-12-04T10:00:00.000Z',
};
const alice = 'bluebottle:users:alice';
const bob = 'bluebottle:users:bob';

describe('the processor’s journal', () => {
  it('keeps two shoppers’ orders of one id apart, each charged under its own key', async () => {
    const journal = new Journal(join(dir, 'apart.sqlite'));
    await journal.snapshot(alice, order);
    await journal.snapshot(bob, { ...order, note: 'bob’s' });
    await journal.advance({ replica: alice, id: ID }, 'done', { outcome: 'received' });
    expect(journal.get(alice, ID)).toMatchObject({ step: 'done', chargeKey: `${alice}/${ID}` });
    expect(journal.get(bob, ID)).toMatchObject({ step: 'snapshotted', chargeKey: `${bob}/${ID}`, snapshot: { note: 'bob’s' } });
    journal.close();
  });

  it('opens a journal of the layout keyed by id alone, keeping each entry’s charge key, so nothing is charged twice', () => {
    const file = join(dir, 'by-id.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE orders (id TEXT PRIMARY KEY, replica TEXT NOT NULL, snapshot TEXT NOT NULL, step TEXT NOT NULL,
              charge_id TEXT, outcome TEXT, reason TEXT, updated_at TEXT NOT NULL)`);
    old
      .prepare(`INSERT INTO orders VALUES (?, ?, ?, 'snapshotted', NULL, NULL, NULL, ?)`)
      .run(ID, alice, JSON.stringify(order), '2026-12-04T10:00:00.000Z');
    old.close();
    const journal = new Journal(file);
    expect(journal.get(alice, ID)).toMatchObject({ step: 'snapshotted', chargeKey: ID, snapshot: order });
    journal.close();
  });
});

describe('the processor’s journal of refunds', () => {
  it('journals a refund’s steps beside the order’s, and keeps the outcome a cancellation gives it', async () => {
    const journal = new Journal(join(dir, 'refunds.sqlite'));
    const entry = await journal.snapshot(alice, order);
    expect(entry.refund).toBeNull();
    await journal.advance(entry, 'charged', { chargeId: 'ch_1' });
    await journal.advance(entry, 'done', { outcome: 'cancelled', reason: 'cancelled at the shopper’s request' });
    await journal.refunding(entry, 'refunding');
    expect(journal.refundCounts()).toEqual({ refunding: 1, refunded: 0, recorded: 0 });
    await journal.refunding(entry, 'refunded');
    expect(journal.get(alice, ID)).toMatchObject({ step: 'done', outcome: 'cancelled', chargeId: 'ch_1', refund: 'refunded' });
    journal.close();
    // What is journaled stays after the file is opened again.
    const reopened = new Journal(join(dir, 'refunds.sqlite'));
    expect(reopened.get(alice, ID)).toMatchObject({ outcome: 'cancelled', refund: 'refunded' });
    reopened.close();
  });

  it('opens a journal written before refunds had a column, marking the rejections it refunded so none is refunded again', () => {
    const file = join(dir, 'before-refunds.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE orders (replica TEXT NOT NULL, id TEXT NOT NULL, snapshot TEXT NOT NULL, step TEXT NOT NULL,
              charge_key TEXT NOT NULL, charge_id TEXT, outcome TEXT, reason TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (replica, id))`);
    const insert = old.prepare(`INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '2026-12-04T10:00:00.000Z')`);
    // [id, step, charge, outcome]: a refunded rejection, one refunded before its move, a received order, a declined one.
    const rows: [string, string, string | null, string][] = [
      ['rejected-charged', 'done', 'ch_1', 'rejected'],
      ['refunded-not-moved', 'refunded', 'ch_2', 'rejected'],
      ['received', 'done', 'ch_3', 'received'],
      ['declined', 'done', null, 'rejected'],
    ];
    for (const [id, step, chargeId, outcome] of rows) {
      insert.run(alice, id, JSON.stringify({ ...order, id }), step, `${alice}/${id}`, chargeId, outcome);
    }
    old.close();
    const journal = new Journal(file);
    expect(rows.map(([id]) => journal.get(alice, id)?.refund)).toEqual(['refunded', 'refunded', null, null]);
    expect(journal.get(alice, 'received')).toMatchObject({ step: 'done', outcome: 'received', chargeId: 'ch_3' });
    journal.close();
  });
});
