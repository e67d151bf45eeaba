import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliverySlot } from '@pourover/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { auditOrders } from './support/audit.ts';
import { startProcessorProcess, type ProcessorProcess } from './support/processor-process.ts';
import { livePlacedCount } from './support/server-file.ts';
import { runServerCommand, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createShopper, placeOrder, type Shopper } from './support/shoppers.ts';
import { storeOwnerClient } from './support/store-owner.ts';
import { waitFor } from './support/wait-for.ts';
import { openSlots, storeCatalog, widenSlots } from './support/store-setup.ts';

type Context = {
  server: ServerProcess;
  store: ReturnType<typeof storeOwnerClient>;
  processor: { stop(): Promise<void>; start(): void };
  /** The slot of every order placed before the restore. */
  slot: DeliverySlot;
};

describe('the order processor across a restore of its server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pourover-processor-restore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Orders placed while the processor is away are backed up as placed, then processed; the server is stopped, restored
   * (a new epoch, the orders placed again) and restarted; `afterRestore` runs, and more orders are placed. Every order
   * must end processed once, with one net charge if received and none if rejected (the audit).
   */
  async function restoreScenario(name: string, afterRestore: (context: Context) => Promise<void>) {
    const server = await startServerProcess(join(dir, name));
    let processor: ProcessorProcess | undefined;
    try {
      const store = storeOwnerClient(server);
      const catalog = await storeCatalog(store);
      const open = await openSlots(store, 5 * 60_000);
      if (open.length < 2) throw new Error('fewer than two open slots');
      const roomy = await widenSlots(store, open.slice(0, 2));
      const shoppers: Shopper[] = await Promise.all([1, 2].map((n) => createShopper(server, n, `tok_visa_${n}`)));
      const placed = new Map<string, { replica: string; totalCents: number }>();
      const placeSome = async (count: number, slot: DeliverySlot) => {
        for (let i = 0; i < count; i += 1) {
          const shopper = shoppers[i % shoppers.length]!;
          const order = await placeOrder(shopper, { id: randomUUID(), items: [{ item: catalog[i % catalog.length]!, count: 1 }], slot });
          placed.set(order.id, { replica: shopper.replica, totalCents: order.totalCents });
        }
      };
      const allProcessed = (what: string) => waitFor(what, () => livePlacedCount(server.dataDir, shoppers) === 0, 45_000);

      processor = startProcessorProcess(server);
      await placeSome(4, roomy[0]!);
      await allProcessed('the first orders to be processed');

      await processor.kill();
      await placeSome(4, roomy[0]!);
      const backup = join(dir, `${name}-backup`);
      expect((await runServerCommand(['backup', '--to', backup, '--data', server.dataDir])).code).toBe(0);
      processor = startProcessorProcess(server);
      await allProcessed('the orders placed before the backup to be processed');

      await server.stop();
      const restored = await runServerCommand(['restore', '--from', backup, '--data', server.dataDir]);
      expect(restored.code, restored.stderr).toBe(0);
      await afterRestore({
        server,
        store,
        processor: {
          stop: async () => processor?.kill(),
          start: () => void (processor = startProcessorProcess(server)),
        },
        slot: roomy[0]!,
      });
      await placeSome(4, roomy[1]!);
      await allProcessed('every order, brought back or placed after the restore, to be processed');

      expect(auditOrders(server.dataDir, placed)).toEqual([]);
    } finally {
      await processor?.kill();
      await server.stop();
    }
  }

  it(
    'keeps watching: orders the restore brought back as placed are finished without a second charge, and orders placed after are processed once',
    { timeout: 150_000 },
    () => restoreScenario('running', ({ server }) => server.restart()),
  );

  it(
    'rejects and refunds an order the restore brought back when its slot has filled since, charging none twice',
    { timeout: 150_000 },
    () =>
      restoreScenario('full', async ({ server, store, processor, slot }) => {
        await processor.stop();
        await server.restart();
        // The slot is full now: the orders brought back no longer fit in it.
        const [current] = (await store.sync.get.query({ collection: 'availability', ids: [slot.id] }))
          .documents as unknown as DeliverySlot[];
        await store.sync.push.mutate({
          collection: 'availability',
          rows: [
            {
              assumedMasterState: { ...current!, _deleted: false },
              newDocumentState: { ...current!, capacity: current!.taken, _deleted: false },
            },
          ],
        });
        processor.start();
      }),
  );
});
