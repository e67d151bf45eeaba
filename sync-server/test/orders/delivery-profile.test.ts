import { join } from 'node:path';
import { DEMO_SHOPPER_ID, processedOrderHooks } from '@pourover/orders/server';
import { STORE } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { DEMO_REPLICA, orderDoc, tempDir, userDoc } from '../support/test-server.ts';

const folder = tempDir();
afterAll(() => folder.remove());

describe('the delivery a driver is given', () => {
  it('names the customer from a profile a newer release gave a field this one does not know', async () => {
    const store = new SqliteStore({ file: join(folder.dir, 'deliveries.sqlite') });
    // As a node of the next release stores the profile during a rolling upgrade (test/e2e/fixtures/upgrade adds `phone`).
    const profile = { ...userDoc(1, { name: 'Ada', address: '1 Loop Rd' }), id: DEMO_SHOPPER_ID, phone: '+1 555 0100' };
    await store.commit(DEMO_REPLICA, [{ collection: 'user', document: profile, expect: { kind: 'none' } }], 'each');
    const received = orderDoc(2, {
      status: 'received',
      note: 'ring twice',
      receivedTime: '2026-11-23T10:05:00.000Z',
      steps: [{ status: 'received', at: '2026-11-23T10:05:00.000Z' }],
    });

    const review = await processedOrderHooks.reviewBatchWrite!({
      store,
      replica: DEMO_REPLICA,
      collection: 'processedOrders',
      before: received,
      document: { ...received, driverId: 'dana' },
      principal: { kind: 'store', name: STORE },
      now: new Date('2026-11-23T10:10:00.000Z'),
    });
    expect(review.writes?.map((write) => ('document' in write ? write.document : write))).toEqual([
      expect.objectContaining({ id: received.id, customerName: 'Ada', address: '1 Loop Rd', note: 'ring twice' }),
    ]);
    await store.close();
  });
});
