import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderProcessor, processorLogger, SimulatedGateway, type ChargeRequest, type PaymentGateway } from '@pourover/processor';
import { openReplica } from '@pourover/replica';
import { loadServerKey, signBlessing } from '@pourover/sync-server';
import { EventSource } from 'eventsource';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { CatalogItem, DeliverySlot, Order } from '@pourover/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditOrders } from './support/audit.ts';
import { corruptingLink } from './support/corrupting-link.ts';
import { collectingLogger } from './support/log-lines.ts';
import { startProcessorProcess } from './support/processor-process.ts';
import { readServerFile } from './support/server-file.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { openSlots, storeCatalog } from './support/store-setup.ts';
import { pouroverDeviceApp } from '@pourover/orders';

describe('the order processor', () => {
  let dir: string;
  let server: ServerProcess;
  let catalog: CatalogItem[];
  let open: DeliverySlot[];
  let shoppers: Shopper[];
  const placed = new Map<string, { replica: string; totalCents: number }>();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pourover-proc-'));
    server = await startServerProcess(dir);
    const store = storeOwnerClient(server);
    catalog = await storeCatalog(store);
    open = await openSlots(store);
    shoppers = await Promise.all([1, 2, 3, 4, 5].map((n) => createShopper(server, n, `tok_visa_${n}`)));
    placed.clear();
  });

  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Places orders spread over the open slots (so none fills), or all on `onSlot`. */
  async function place(count: number, onSlot?: DeliverySlot) {
    for (let i = 0; i < count; i += 1) {
      const shopper = shoppers[i % shoppers.length]!;
      const slot = onSlot ?? open[placed.size % open.length]!;
      const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[i % catalog.length]!, count: 1 }], slot });
      placed.set(order.id, { replica: shopper.replica, totalCents: order.totalCents });
    }
  }

  function processed(): Order[] {
    const file = readServerFile(dir);
    const orders = shoppers.flatMap((s) => file.documents(s.replica, 'processedOrders').map((row) => row.document as unknown as Order));
    file.close();
    return orders;
  }

  const allProcessed = () => processed().length === placed.size;

  function inProcess(gateway: PaymentGateway, url = server.url, extra: Partial<ConstructorParameters<typeof OrderProcessor>[0]> = {}) {
    return new OrderProcessor({
      server: url,
      token: readFileSync(join(dir, 'store.token'), 'utf8').trim(),
      journal: join(dir, `journal-${randomUUID()}.sqlite`),
      gateway,
      leaseTtlMs: 1_500,
      ...extra,
    });
  }

  it('processes the orders placed while it was down as soon as it starts', async () => {
    await place(12);
    const processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
    await waitFor('every order processed', allProcessed);
    await processor.kill();
    expect(auditOrders(dir, placed)).toEqual([]);
  });

  it('watches again from the initial state when the server drops the watch, and skips nothing', async () => {
    const processor = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
    await place(5);
    await waitFor('the first orders processed', () => processed().length >= 1);
    await server.kill();
    await server.restart();
    await place(10);
    await waitFor('every order processed', allProcessed, 60_000);
    await processor.kill();
    expect(processor.lines.some((line) => String(line['message']).startsWith('watching again from the initial state'))).toBe(true);
    expect(auditOrders(dir, placed)).toEqual([]);
  });

  it('gives the last place of a slot to exactly one of the orders racing for it; the others are rejected with the reason', async () => {
    const store = storeOwnerClient(server);
    const last: DeliverySlot = { ...open[0]!, id: randomUUID(), capacity: 1, taken: 0 };
    await store.sync.push.mutate({
      collection: 'availability',
      rows: [{ assumedMasterState: null, newDocumentState: { ...last, _deleted: false } }],
    });
    await place(5, last);
    const processor = startProcessorProcess(server, ['--concurrency', '8', '--lease-ttl-ms', '1500']);
    await waitFor('every order processed', allProcessed);
    await processor.kill();
    const outcomes = processed().filter((order) => order.slotId === last.id);
    expect(outcomes.filter((order) => order.status === 'received')).toHaveLength(1);
    expect(outcomes.filter((order) => order.status === 'rejected').map((order) => order.rejectReason)).toEqual(
      Array(4).fill('the delivery slot is full'),
    );
    expect(auditOrders(dir, placed)).toEqual([]);

    // Each shopper's device shows the same outcome, with the reason.
    const key = loadServerKey(join(dir, 'server-key.pem'));
    for (const shopper of shoppers.slice(0, 2)) {
      const device = await openReplica({
        app: pouroverDeviceApp,
        url: server.url,
        blessing: signBlessing(key, { name: `${shopper.replica}:phone`, ttlSeconds: 600 }),
        name: `race-${shopper.id}`,
        indexedDB: { indexedDB, IDBKeyRange },
        EventSource,
        multiInstance: false,
      });
      await device.awaitInSync();
      const onDevice = (await device.collections.processedOrders.find().exec()).map((doc) => doc.toJSON());
      const onServer = outcomes.filter((order) => placed.get(order.id)?.replica === shopper.replica);
      expect(onDevice.map((o) => [o['id'], o['status'], o['rejectReason']]).sort()).toEqual(
        onServer.map((o) => [o.id, o.status, o.rejectReason]).sort(),
      );
      await device.close();
    }
  });

  it('lets only the lease holder process, and hands over when the holder is killed', async () => {
    const first = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
    await waitFor('the first to take the lease', () => first.lines.some((line) => line['message'] === 'holding the processor lease'));
    const second = startProcessorProcess(server, ['--lease-ttl-ms', '1500']);
    await place(6);
    const outcomes = (lines: Record<string, unknown>[]) => lines.filter((line) => line['outcome'] === 'received').length;
    await waitFor('the first batch processed, by the first', () => allProcessed() && outcomes(first.lines) === 6);
    expect(second.lines.filter((line) => line['outcome'] !== undefined)).toEqual([]);
    await first.kill();
    await waitFor('the second to take over', () => second.lines.some((line) => line['message'] === 'holding the processor lease'), 10_000);
    await place(6);
    await waitFor('the second batch processed, by the second', () => allProcessed() && outcomes(second.lines) === 6);
    await second.kill();
    expect(outcomes(first.lines)).toBe(6);
    expect(auditOrders(dir, placed)).toEqual([]);
  });

  it('times out on a gateway that hangs, retries later, and still charges each order once', async () => {
    const ledger = new SimulatedGateway(join(dir, 'payments.sqlite'));
    let hangs = 3;
    const hanging: PaymentGateway = {
      charge: (request: ChargeRequest) => (hangs-- > 0 ? new Promise(() => {}) : ledger.charge(request)),
      refund: (request) => ledger.refund(request),
    };
    await place(4);
    const processor = inProcess(hanging, server.url, { gatewayTimeoutMs: 200 });
    await processor.start();
    await waitFor('every order processed', allProcessed, 30_000);
    expect(processor.stats.failures).toBeGreaterThanOrEqual(3);
    await processor.close();
    ledger.close();
    expect(auditOrders(dir, placed)).toEqual([]);
  });

  it('processes the snapshot, never a copy changed after it, and logs the change', async () => {
    await place(1);
    const [id] = [...placed.keys()];
    const replica = placed.get(id!)!.replica;
    const ledger = new SimulatedGateway(join(dir, 'payments.sqlite'));
    let release: () => void = () => {};
    let charging: () => void = () => {};
    const charged = new Promise<void>((resolve) => (charging = resolve));
    const held: PaymentGateway = {
      charge: async (request) => {
        charging();
        await new Promise<void>((resolve) => (release = resolve));
        return ledger.charge(request);
      },
      refund: (request) => ledger.refund(request),
    };
    const { logger, lines: log } = collectingLogger('info', processorLogger);
    const processor = inProcess(held, server.url, { logger });
    await processor.start();
    await charged;

    const store = storeOwnerClient(server);
    const { documents } = await store.sync.get.query({ collection: 'placedOrders', ids: [id!], replica });
    const original = documents[0]!;
    const tampered = { ...original, totalCents: 1, note: 'changed after the snapshot' };
    expect(
      (
        await store.sync.batch.mutate({
          replica,
          operations: [{ collection: 'placedOrders', precondition: { kind: 'equals', state: original }, write: tampered }],
        })
      ).ok,
    ).toBe(true);
    release();

    await waitFor('the order processed', allProcessed);
    await processor.close();
    ledger.close();
    const [done] = processed();
    expect(done).toMatchObject({ id, status: 'received', totalCents: original['totalCents'], note: original['note'] });
    expect(log.some((line) => String(line['message']).includes('differs from the snapshot'))).toBe(true);
    expect(auditOrders(dir, placed)).toEqual([]);
  });

  it('watches again from the initial state after a malformed watch event, and loses no order', async () => {
    await place(6);
    const link = await corruptingLink(server, { find: '"kind":"initial"', replace: '"kind":"inxtial"', times: 2 });
    const gateway = new SimulatedGateway(join(dir, 'payments.sqlite'));
    const processor = inProcess(gateway, link.url);
    await processor.start();
    await waitFor('every order processed', allProcessed, 30_000);
    expect(link.corrupted).toBe(2);
    await processor.close();
    gateway.close();
    await link.close();
    expect(auditOrders(dir, placed)).toEqual([]);
  });
});
