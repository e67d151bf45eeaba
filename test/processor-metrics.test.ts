import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderProcessor, SimulatedGateway, type PaymentGateway } from '@pourover/processor';
import type { CatalogItem, DeliverySlot } from '@pourover/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProcessorProcess } from './support/processor-process.ts';
import { sample, scrape } from './support/scrape.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { openSlots, storeCatalog } from './support/store-setup.ts';

describe('the order processor’s metrics and log', () => {
  let dir: string;
  let server: ServerProcess;
  let catalog: CatalogItem[];
  let slot: DeliverySlot;
  let paying: Shopper;
  let declined: Shopper;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pourover-proc-metrics-'));
    server = await startServerProcess(dir);
    const store = storeOwnerClient(server);
    catalog = await storeCatalog(store);
    [slot] = (await openSlots(store)) as [DeliverySlot];
    paying = await createShopper(server, 1, 'tok_visa_metrics');
    declined = await createShopper(server, 2, 'tok_decline_metrics');
  });

  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const place = (shopper: Shopper) => placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[0]!, count: 1 }], slot });

  it('serves its orders, charges, queue and lag at 127.0.0.1 on --metrics-port, and logs no secret and no renewal at info', async () => {
    await place(paying);
    await place(paying);
    await place(declined);
    const processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500', '--metrics-port', '0']);
    try {
      await waitFor('the metrics address in the log', () => processor.lines.some((line) => typeof line['url'] === 'string'));
      const url = String(processor.lines.find((line) => typeof line['url'] === 'string')?.['url']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const orders = (text: string) =>
        sample(text, 'pourover_processor_orders_total', { outcome: 'received' }) +
        sample(text, 'pourover_processor_orders_total', { outcome: 'rejected' });
      let text = '';
      await waitFor('three orders counted', async () => orders((text = (await scrape(url)).text)) === 3);
      expect(sample(text, 'pourover_processor_orders_total', { outcome: 'received' })).toBe(2);
      expect(sample(text, 'pourover_processor_charges_total', { kind: 'charge', result: 'charged' })).toBe(2);
      expect(sample(text, 'pourover_processor_charges_total', { kind: 'charge', result: 'declined' })).toBe(1);
      expect(sample(text, 'pourover_processor_failures_total')).toBe(0);
      expect(sample(text, 'pourover_processor_queue_length')).toBe(0);
      expect(sample(text, 'pourover_processor_lag_seconds')).toBe(0);
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);

      // The lease is renewed every half second here: a second and a half gives three renewals to leave out.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const log = JSON.stringify(processor.lines);
      expect(processor.lines.filter((line) => line['outcome'] !== undefined)).toHaveLength(3);
      expect(processor.lines.filter((line) => line['level'] === 'debug')).toEqual([]);
      expect(log).not.toContain('renewed the processor lease');
      expect(log).not.toContain('tok_visa_metrics');
      expect(log).not.toContain(readFileSync(join(dir, 'store.token'), 'utf8').trim());
    } finally {
      await processor.kill();
    }
  });

  it('logs each lease renewal at --log-level debug', async () => {
    const processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500', '--log-level', 'debug']);
    try {
      await waitFor('a renewal logged', () =>
        processor.lines.some((line) => line['message'] === 'renewed the processor lease' && line['level'] === 'debug'),
      );
    } finally {
      await processor.kill();
    }
  });

  it('shows the orders it is at and how long the oldest has waited since placed, until processed', async () => {
    const ledger = new SimulatedGateway(join(dir, 'ledger.sqlite'));
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let charging = () => {};
    const charged = new Promise<void>((resolve) => (charging = resolve));
    const held: PaymentGateway = {
      async charge(request) {
        charging();
        await released;
        return ledger.charge(request);
      },
      refund: (request) => ledger.refund(request),
    };
    await place(paying);
    const processor = new OrderProcessor({
      server: server.url,
      token: readFileSync(join(dir, 'store.token'), 'utf8').trim(),
      journal: join(dir, 'journal.sqlite'),
      gateway: held,
      leaseTtlMs: 1_500,
    });
    try {
      await processor.start();
      await charged;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const during = await processor.metrics.metrics();
      expect(sample(during, 'pourover_processor_queue_length')).toBe(1);
      expect(sample(during, 'pourover_processor_lag_seconds')).toBeGreaterThanOrEqual(0.05);
      release();
      await waitFor(
        'the order processed',
        async () => sample(await processor.metrics.metrics(), 'pourover_processor_orders_total', { outcome: 'received' }) === 1,
      );
      const after = await processor.metrics.metrics();
      expect(sample(after, 'pourover_processor_queue_length')).toBe(0);
      expect(sample(after, 'pourover_processor_lag_seconds')).toBe(0);
    } finally {
      release();
      await processor.close();
      ledger.close();
    }
  });
});
