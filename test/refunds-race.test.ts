import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, OrderProcessor, SimulatedGateway, type PaymentGateway } from '@pourover/processor';
import { afterAll, describe, expect, it } from 'vitest';
import { answerTo, askToCancel, processedNow } from './support/fulfilment.ts';
import { ledgerCharges } from './support/ledger.ts';
import { startServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder } from './support/shoppers.ts';
import { auditStore, refundsSettled } from './support/store-audit.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { openSlots, storeCatalog } from './support/store-setup.ts';

describe('a shopper’s cancel winning the race with the processor’s charge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-refunds-race-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends the order cancelled: the charge the processor made is journaled as such and given back once', { timeout: 120_000 }, async () => {
    const server = await startServerProcess(dir);
    const ledger = new SimulatedGateway(join(dir, 'payments.sqlite'));
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let charging = () => {};
    const charged = new Promise<void>((resolve) => (charging = resolve));
    // The gateway charges, then holds its answer until the shopper's cancel has landed.
    const held: PaymentGateway = {
      async charge(request) {
        const result = await ledger.charge(request);
        charging();
        await released;
        return result;
      },
      refund: (request) => ledger.refund(request),
    };
    const journalFile = join(dir, 'journal.sqlite');
    const processor = new OrderProcessor({
      server: server.url,
      token: readFileSync(join(dir, 'store.token'), 'utf8').trim(),
      journal: journalFile,
      gateway: held,
      leaseTtlMs: 1_500,
    });
    try {
      const store = storeOwnerClient(server);
      const catalog = await storeCatalog(store);
      const slot = (await openSlots(store)).find((open) => open.taken < open.capacity);
      if (!slot) throw new Error('no open slot');
      const shopper = await createShopper(server, 1, 'tok_visa_1');
      const available = catalog.filter((item) => item.available);
      const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: available[0]!, count: 3 }], slot });

      await processor.start();
      await charged;
      await askToCancel(shopper, order.id, 'ordered twice');
      expect(await answerTo(shopper, order.id)).toMatchObject({ outcome: 'accepted' });
      release();

      await waitFor('the refund recorded', async () => (await processedNow(store, shopper.replica, order.id))?.refundedTime !== undefined);
      await waitFor('the processor idle', () => processor.stats.pending === 0);
      expect(await processedNow(store, shopper.replica, order.id)).toMatchObject({
        status: 'cancelled',
        cancelledBy: 'shopper',
        refundedTime: expect.any(String),
      });
      expect(processor.stats).toMatchObject({ processed: 0, cancelled: 1, refunded: 1 });
      const key = `${shopper.replica}/${order.id}`;
      expect(ledgerCharges(dir)).toEqual([
        expect.objectContaining({ key, amountCents: order.totalCents, refundedCents: order.totalCents, refundKey: `refund:${key}` }),
      ]);
      await processor.close();
      const journal = new Journal(journalFile);
      expect(journal.get(shopper.replica, order.id)).toMatchObject({ step: 'done', outcome: 'cancelled', refund: 'recorded' });
      journal.close();
      expect(refundsSettled(dir)).toBe(true);
      expect(auditStore(dir, { catalog: new Map(catalog.map((item) => [item.id, item])) })).toEqual([]);
    } finally {
      release();
      await processor.close();
      ledger.close();
      await server.stop();
    }
  });
});
